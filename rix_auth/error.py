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
    REAUTHENTICATION_REQUIRED = "reauthentication_required"
    TOO_MANY_ATTEMPTS = "too_many_attempts"


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
    AuthErrorCode.REAUTHENTICATION_REQUIRED: "This needs a recent login: confirm your password, then try again.",
    AuthErrorCode.TOO_MANY_ATTEMPTS: "Too many attempts; wait a while before trying again.",
}


class AuthError(Exception):
    """An auth failure: a stable ``code`` plus a human ``message``.

    ``retry_after`` is how many seconds to wait before trying again, when that is known
    (``too_many_attempts``); ``None`` otherwise. Two errors are equal when all three are.
    """

    def __init__(self, code: AuthErrorCode, message: str | None = None, *, retry_after: int | None = None) -> None:
        self.code = code
        self.message = message if message is not None else DEFAULT_MESSAGES[code]
        self.retry_after = retry_after
        super().__init__(f"{code.value}: {self.message}")

    def __repr__(self) -> str:
        wait = "" if self.retry_after is None else f", retry_after={self.retry_after!r}"
        return f"AuthError({self.code.value!r}, {self.message!r}{wait})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AuthError):
            return NotImplemented
        return (self.code, self.message, self.retry_after) == (other.code, other.message, other.retry_after)

    def __hash__(self) -> int:
        return hash((self.code, self.message, self.retry_after))

    def __reduce__(self) -> tuple[object, ...]:  # pickles with its code, not the formatted text
        return (_rebuilt, (self.code, self.message, self.retry_after))


def _rebuilt(code: AuthErrorCode, message: str, retry_after: int | None) -> AuthError:
    return AuthError(code, message, retry_after=retry_after)


def to_string(error: AuthError) -> str:
    """The stable code string of ``error``, e.g. ``"session_expired"``."""
    return error.code.value


def is_(error: AuthError | None, code: AuthErrorCode) -> bool:
    """Whether ``error`` carries ``code`` (``None`` never does)."""
    return error is not None and error.code is code
