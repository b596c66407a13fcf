"""What the contract's rule sets share: the accounts they use and small readers of results."""

from __future__ import annotations

from typing import Any

from rix_auth.error import AuthErrorCode
from rix_auth.result import Result
from rix_auth.service import Auth
from rix_auth.session import LoginResult, Session

EMAIL, PASSWORD = "grace@example.com", "correct-password"
NEW_PASSWORD = "another-password-9"  # noqa: S105


def code(result: Result[Any]) -> AuthErrorCode | None:
    """The failure's code, or ``None`` for a success."""
    return None if result.error is None else result.error.code


def stored(auth: Auth, session: Session) -> Session:
    """The store's copy of ``session``, as listings show it."""
    (row,) = [s for s in auth.sessions.for_user(session.user_id) if s.public_id == session.public_id]
    return row


def signed_in(auth: Auth) -> LoginResult:
    """Register the usual account and log it in."""
    assert auth.register_user(EMAIL, PASSWORD).ok
    return auth.login(EMAIL, PASSWORD).value
