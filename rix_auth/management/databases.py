"""``--database``, the same on every command: the configured stores, pinned to one alias."""

from __future__ import annotations

import copy
from typing import Protocol, runtime_checkable

from django.core.management.base import CommandError, CommandParser
from django.db import connections

from rix_auth.conf import get_auth
from rix_auth.service import Auth
from rix_auth.stores.base import SessionStore, UserStore


def add_database_option(parser: CommandParser) -> None:
    parser.add_argument(
        "--database", choices=tuple(connections),
        help="the database alias to work on (default: where the database routers send sessions)",
    )  # fmt: skip


def auth_on(database: str | None) -> Auth:
    """The configured Auth, its stores moved to ``database`` when one is named."""
    auth = get_auth()
    if database is None:
        return auth
    return Auth(
        users=users_on(auth.users, database), sessions=sessions_on(auth.sessions, database),
        config=auth.config, clock=auth.clock, throttle=auth.throttle,
    )  # fmt: skip


@runtime_checkable
class Movable(Protocol):
    """A session store that can work on another database: ``DatabaseSessionStore`` and the stores
    that front one (a cache) offer ``using(alias)``, a copy on that alias."""

    def using(self, alias: str) -> SessionStore: ...


def sessions_on(store: SessionStore, database: str | None) -> SessionStore:
    """``store`` moved to ``database``, with whatever it adds (a cache in front stays in front)."""
    if database is None:
        return store
    if not isinstance(store, Movable):
        raise _not_a_database("SESSION_STORE", store)
    return store.using(database)


def users_on(store: UserStore, database: str) -> UserStore:
    from rix_auth.stores.django_users import DjangoUserStore

    if not isinstance(store, DjangoUserStore):
        raise _not_a_database("USER_STORE", store)
    pinned = copy.copy(store)
    pinned.alias = database
    return pinned


def _not_a_database(setting: str, store: object) -> CommandError:
    return CommandError(f"--database needs the database stores; RIX_AUTH[{setting!r}] made a {type(store).__name__}.")
