"""rix_auth: server-side login sessions for Django, and for plain Python scripts.

``import rix_auth`` needs no Django settings: the memory store works in any
script. The Django parts load only when :func:`database`, :func:`get_auth`,
:func:`login` or :func:`logout` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rix_auth import config, error, stores
from rix_auth.clock import Clock, ManualClock, system_clock
from rix_auth.config import AuthConfig
from rix_auth.error import AuthError, AuthErrorCode
from rix_auth.result import Result
from rix_auth.service import Auth
from rix_auth.session import LoginResult, RevokeReason, Session, User

if TYPE_CHECKING:
    from django.http import HttpRequest

__version__ = "0.2.0.dev0"

__all__ = [
    "Auth",
    "AuthConfig",
    "AuthError",
    "AuthErrorCode",
    "Clock",
    "LoginResult",
    "ManualClock",
    "Result",
    "RevokeReason",
    "Session",
    "User",
    "__version__",
    "config",
    "database",
    "error",
    "get_auth",
    "login",
    "logout",
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


def database(alias: str | None = None, auth_config: AuthConfig | None = None, *, clock: Clock = system_clock) -> Auth:
    """Users of ``AUTH_USER_MODEL`` and durable sessions in the Django database ``alias``
    (without one, wherever the database routers send them).

    Without ``auth_config``, the configuration comes from ``settings.RIX_AUTH``.
    """
    from rix_auth.conf import settings  # needs Django settings

    return Auth(
        users=stores.database_users(alias),
        sessions=stores.database_sessions(alias),
        config=auth_config or settings.auth_config,
        clock=clock,
    )


def get_auth() -> Auth:
    """The Auth configured by ``settings.RIX_AUTH``: what the middleware, views and commands use."""
    from rix_auth.conf import get_auth as configured

    return configured()


def login(request: HttpRequest, user: Any, *, cookie: bool = True) -> Result[Session]:
    """Open a session for a user the view already trusts; see :func:`rix_auth.signin.login`."""
    from rix_auth.signin import login as sign_in

    return sign_in(request, user, cookie=cookie)


def logout(request: HttpRequest) -> Result[None]:
    """Revoke the request's session and clear its cookie; see :func:`rix_auth.signin.logout`."""
    from rix_auth.signin import logout as sign_out

    return sign_out(request)
