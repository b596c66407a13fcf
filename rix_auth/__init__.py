"""rix_auth: server-side login sessions for Django, and for plain Python scripts.

``import rix_auth`` needs no Django settings: the memory store works in any
script. The database parts load only when :func:`database` is called.
"""

from __future__ import annotations

from rix_auth import config, error, stores
from rix_auth.clock import Clock, ManualClock, system_clock
from rix_auth.config import AuthConfig
from rix_auth.error import AuthError, AuthErrorCode
from rix_auth.result import Result
from rix_auth.service import Auth
from rix_auth.session import LoginResult, Session, User

__all__ = [
    "Auth",
    "AuthConfig",
    "AuthError",
    "AuthErrorCode",
    "Clock",
    "LoginResult",
    "ManualClock",
    "Result",
    "Session",
    "User",
    "config",
    "database",
    "error",
    "memory",
    "stores",
]


def memory(auth_config: AuthConfig | None = None, *, clock: Clock = system_clock) -> Auth:
    """Users and sessions in this process: for scripts, tests and examples."""
    auth_config = auth_config or config.development()
    return Auth(
        users=stores.memory_users(auth_config.argon2),
        sessions=stores.memory_sessions(),
        config=auth_config,
        clock=clock,
    )


def database(alias: str = "default", auth_config: AuthConfig | None = None, *, clock: Clock = system_clock) -> Auth:
    """Users of ``AUTH_USER_MODEL`` and durable sessions in the Django database ``alias``.

    Without ``auth_config``, the configuration comes from ``settings.RIX_AUTH``.
    """
    from rix_auth.conf import auth_config as configured  # needs Django settings

    return Auth(
        users=stores.database_users(alias),
        sessions=stores.database_sessions(alias),
        config=auth_config or configured(),
        clock=clock,
    )
