"""Stable error codes and the exception that carries them.

Codes are the contract: programs branch on them and they never change.
Messages are for people: in the language active when the error is made (Django's
translations), never containing a session id or a password, so an error can be logged
or shown as it is.
"""

from __future__ import annotations

import enum

from django.utils import translation
from django.utils.functional import lazy


def _django_configured() -> bool:
    from django.conf import settings  # asked when a message is resolved: the core also runs without Django set up

    return settings.configured


def _gettext(message: str, **values: object) -> str:
    if _django_configured():
        message = translation.gettext(message)
    return message % values if values else message


gettext_lazy = lazy(_gettext, str)
"""Django's ``gettext_lazy`` for rix_auth's messages, with two differences: ``values`` fill the
``%(name)s`` placeholders when the text is resolved, and where Django's settings are not configured
(the core in a plain script) the text stays English instead of raising ``ImproperlyConfigured``."""


def ngettext(singular: str, plural: str, number: int) -> str:
    """Django's ``ngettext``, and English where Django's settings are not configured."""
    if _django_configured():
        return translation.ngettext(singular, plural, number)
    return singular if number == 1 else plural


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


DEFAULT_MESSAGES: dict[AuthErrorCode, str] = {  # resolved when each error is made
    AuthErrorCode.INVALID_INPUT: gettext_lazy("The input is not valid."),
    AuthErrorCode.INVALID_CREDENTIALS: gettext_lazy("The email or password is incorrect."),
    AuthErrorCode.USER_ALREADY_EXISTS: gettext_lazy("An account with this email already exists; log in instead."),
    AuthErrorCode.USER_NOT_FOUND: gettext_lazy("No such user."),
    AuthErrorCode.USER_DISABLED: gettext_lazy("This account is disabled; contact an administrator."),
    AuthErrorCode.INVALID_SESSION: gettext_lazy("The session is unknown; log in again."),
    AuthErrorCode.SESSION_EXPIRED: gettext_lazy("The session has expired; log in again."),
    AuthErrorCode.SESSION_REVOKED: gettext_lazy("The session was revoked; log in again."),
    AuthErrorCode.STORE_ERROR: gettext_lazy("The session store is unavailable; try again later."),
    AuthErrorCode.REAUTHENTICATION_REQUIRED: gettext_lazy(
        "This needs a recent login: confirm your password, then try again."
    ),
    AuthErrorCode.TOO_MANY_ATTEMPTS: gettext_lazy("Too many attempts; wait a while before trying again."),
}


class AuthError(Exception):
    """An auth failure: a stable ``code`` plus a human ``message``.

    ``message`` is a plain string: a lazy translation given (or the code's default) is resolved
    when the error is made, in the language active then.

    ``retry_after`` is how many seconds to wait before trying again, when that is known
    (``too_many_attempts``); ``None`` otherwise. Two errors are equal when all three are.
    """

    def __init__(self, code: AuthErrorCode, message: str | None = None, *, retry_after: int | None = None) -> None:
        self.code = code
        self.message = str(message if message is not None else DEFAULT_MESSAGES[code])
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
