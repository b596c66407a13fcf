"""Every store rule, run against the memory store and the Django database store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import OperationalError, connection, transaction

import rix_auth
from rix_auth.clock import ManualClock
from rix_auth.config import Argon2Parameters, AuthConfig
from rix_auth.models import Session as SessionRow
from rix_auth.models import SessionEpoch
from rix_auth.service import Auth
from rix_auth.session import UserId
from rix_auth.stores.memory import MemorySessionStore, MemoryUserStore
from rix_auth.testing import AuthContract


class TestMemoryStore(AuthContract):
    def make_auth(self, config: AuthConfig, clock: ManualClock) -> Auth:
        # The same algorithm at test cost, as tests/settings.py does for the database store's hashers.
        quick = Argon2Parameters(time_cost=1, memory_cost_kib=8 * 1024, parallelism=1)
        return rix_auth.memory(config.set_argon2_parameters(quick), clock=clock)

    def stored_values(self, auth: Auth) -> Iterator[str]:
        assert isinstance(auth.sessions, MemorySessionStore)
        for digest, session in auth.sessions._sessions.items():
            yield digest
            yield from (str(value) for value in vars_of(session))

    def deactivate(self, auth: Auth, user_id: UserId) -> None:
        assert isinstance(auth.users, MemoryUserStore)
        auth.users.set_active(user_id, False)

    def reactivate(self, auth: Auth, user_id: UserId) -> None:
        assert isinstance(auth.users, MemoryUserStore)
        auth.users.set_active(user_id, True)

    def change_password(self, auth: Auth, user_id: UserId, password: str | None) -> None:
        assert isinstance(auth.users, MemoryUserStore)
        auth.users.set_password(user_id, password)

    @contextmanager
    def broken(self, auth: Auth) -> Iterator[None]:
        with mock.patch.object(auth.sessions, "_sessions", new=FailingDict()):
            yield


@pytest.mark.django_db
class TestDatabaseStore(AuthContract):
    def make_auth(self, config: AuthConfig, clock: ManualClock) -> Auth:
        return rix_auth.database("default", config, clock=clock)

    def stored_values(self, auth: Auth) -> Iterator[str]:
        for model in (SessionRow, SessionEpoch):
            for row in model.objects.values_list():
                yield from (str(value) for value in row)

    def deactivate(self, auth: Auth, user_id: UserId) -> None:
        get_user_model().objects.filter(pk=user_id).update(is_active=False)

    def reactivate(self, auth: Auth, user_id: UserId) -> None:
        get_user_model().objects.filter(pk=user_id).update(is_active=True)

    def change_password(self, auth: Auth, user_id: UserId, password: str | None) -> None:
        """A QuerySet.update sends no signal: only the request path's check can notice."""
        get_user_model().objects.filter(pk=user_id).update(password=make_password(password))

    @contextmanager
    def broken(self, auth: Auth) -> Iterator[None]:
        def refuse(execute, sql, params, many, context):
            if "SAVEPOINT" in sql.upper():  # let the test's own transaction unwind cleanly
                return execute(sql, params, many, context)
            raise OperationalError("server closed the connection unexpectedly")

        with transaction.atomic(), connection.execute_wrapper(refuse):  # the failure stays inside
            yield


def vars_of(session: object) -> list[object]:
    return [getattr(session, name) for name in session.__slots__]  # type: ignore[attr-defined]


class FailingDict(dict):  # type: ignore[type-arg]
    """A memory store's dict that has lost its backing, as a database can."""

    def _fail(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("memory store unavailable")

    __getitem__ = __setitem__ = __contains__ = get = items = values = _fail  # type: ignore[assignment]
