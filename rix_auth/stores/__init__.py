"""Store helpers; the database ones import Django models only when called."""

from __future__ import annotations

from rix_auth.config import Argon2Parameters
from rix_auth.stores.base import SessionStore, UserStore
from rix_auth.stores.memory import MemorySessionStore, MemoryUserStore

__all__ = [
    "SessionStore",
    "UserStore",
    "database_sessions",
    "database_users",
    "memory_sessions",
    "memory_users",
]


def memory_sessions() -> MemorySessionStore:
    return MemorySessionStore()


def memory_users(parameters: Argon2Parameters | None = None) -> MemoryUserStore:
    return MemoryUserStore(parameters)


def database_sessions(alias: str | None = None) -> SessionStore:
    """Sessions in ``alias``; without one, where the database routers send them."""
    from rix_auth.stores.database import DatabaseSessionStore

    return DatabaseSessionStore(alias)


def database_users(alias: str | None = None) -> UserStore:
    """Users in ``alias``; without one, where the database routers send them."""
    from rix_auth.stores.django_users import DjangoUserStore

    return DjangoUserStore(alias)
