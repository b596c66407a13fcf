"""Every refusal each JSON endpoint can answer: the error code and its status.

Built from the registries that make the answers (``AuthErrorCode`` with ``http.STATUS``,
``HttpErrorCode`` with ``http.HTTP_STATUS``), so a status changed there changes here too.
Keys are the URL names in :mod:`rix_auth.urls`, which are also the operation ids.
"""

from __future__ import annotations

from rix_auth.error import AuthErrorCode as Code
from rix_auth.http import HTTP_STATUS, STATUS, HttpErrorCode

Refusal = tuple[str, int]  # (code, status)


def _auth(*codes: Code) -> tuple[Refusal, ...]:
    return tuple((code.value, STATUS[code]) for code in codes)


def _http(*codes: HttpErrorCode) -> tuple[Refusal, ...]:
    return tuple((code.value, HTTP_STATUS[code]) for code in codes)


METHOD = _http(HttpErrorCode.METHOD_NOT_ALLOWED)
"""Any method a path does not list (``Allow`` names those it does)."""

CSRF = _http(HttpErrorCode.CSRF_FAILED) + _auth(Code.INVALID_INPUT)
"""An unsafe request the session cookie rides on fails Django's CSRF check (a form body it
cannot read is ``invalid_input``); a login asking for a cookie is checked too."""

BODY = _http(HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, HttpErrorCode.REQUEST_TOO_LARGE) + _auth(Code.INVALID_INPUT)
"""A body that is not a small JSON object (UTF-8) with fields of the expected types."""

SESSION = _auth(
    Code.INVALID_INPUT, Code.INVALID_SESSION, Code.SESSION_EXPIRED, Code.SESSION_REVOKED, Code.USER_DISABLED,
    Code.STORE_ERROR,
)  # fmt: skip
"""An endpoint that needs a session: no id, a malformed one, or one that is not usable."""

REFUSALS: dict[str, tuple[Refusal, ...]] = {
    "csrf": METHOD,
    "register": METHOD + CSRF + BODY + _auth(Code.USER_ALREADY_EXISTS, Code.TOO_MANY_ATTEMPTS, Code.STORE_ERROR),
    "login": METHOD
    + CSRF
    + BODY
    + _auth(
        Code.INVALID_CREDENTIALS, Code.USER_DISABLED, Code.SESSION_REVOKED, Code.TOO_MANY_ATTEMPTS, Code.STORE_ERROR
    ),
    "whoami": METHOD + SESSION,
    "refresh": METHOD + CSRF + SESSION,
    "reauthenticate": METHOD + CSRF + SESSION + BODY + _auth(Code.INVALID_CREDENTIALS, Code.TOO_MANY_ATTEMPTS),
    "logout": METHOD + CSRF + _auth(Code.INVALID_INPUT, Code.INVALID_SESSION, Code.STORE_ERROR),
    "logout-all": METHOD + CSRF + SESSION + _auth(Code.USER_NOT_FOUND),
    "sessions": METHOD + SESSION,
    # Another user's handle, or an unknown one, is "not found" rather than "log in again".
    "revoke": METHOD + CSRF + SESSION + ((Code.INVALID_SESSION.value, 404),),
}


def by_status(operation: str) -> dict[int, list[str]]:
    """The codes ``operation`` can answer, grouped by status, each list sorted."""
    grouped: dict[int, set[str]] = {}
    for code, status in REFUSALS[operation]:
        grouped.setdefault(status, set()).add(code)
    return {status: sorted(codes) for status, codes in sorted(grouped.items())}
