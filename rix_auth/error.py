"""Stable error codes and the exception that carries them.

Codes are the contract: programs branch on them and they never change.
Messages are for people reading logs; they never contain a session id or a
password, so an error can be logged or shown as it is.
"""

from __future__ import annotations

import enum


class AuthErrorCode(enum.StrEnum):
    """Every way an auth operation can fail; each value is its stable code string."""

    INVALID_INPUT = "invalid_input"
    INVALID_CREDENTIALS = "invalid_credentials"
    USER_ALREADY_EXISTS = "user_already_exists"
    USER_NOT_FOUND = "user_not_found"
    USER_DISABLED = "user_disabled"
    INVALID_SESSION = "invalid_session"
    SESSION_EXPIRED = "session_expired"
    SESSION_REVOKED = "session_revoked"
    STORE_ERROR = "store_error"


DEFAULT_MESSAGES: dict[AuthErrorCode, str] = {
    AuthErrorCode.INVALID_INPUT: "The input is not valid.",
    AuthErrorCode.INVALID_CREDENTIALS: "The email or password is incorrect.",
    AuthErrorCode.USER_ALREADY_EXISTS: "An account with this email already exists; log in instead.",
    AuthErrorCode.USER_NOT_FOUND: "No such user.",
    AuthErrorCode.USER_DISABLED: "This account is disabled; contact an administrator.",
    AuthErrorCode.INVALID_SESSION: "The session is unknown; log in again.",
    AuthErrorCode.SESSION_EXPIRED: "The session has expired; log in again.",
    AuthErrorCode.SESSION_REVOKED: "The session was revoked; log in again.",
    AuthErrorCode.STORE_ERROR: "The session store is unavailable; try again later.",
}


class AuthError(Exception):
    """An auth failure: a stable ``code`` plus a human ``message``."""

    def __init__(self, code: AuthErrorCode, message: str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else DEFAULT_MESSAGES[code]
        super().__init__(f"{code.value}: {self.message}")

    def __repr__(self) -> str:
        return f"AuthError({self.code.value!r}, {self.message!r})"


def to_string(error: AuthError) -> str:
    """The stable code string of ``error``, e.g. ``"session_expired"``."""
    return error.code.value


def is_(error: AuthError | None, code: AuthErrorCode) -> bool:
    """Whether ``error`` carries ``code`` (``None`` never does)."""
    return error is not None and error.code is code
