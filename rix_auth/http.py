"""How a session id travels over HTTP, and how errors answer.

The id is read from ``Authorization: <scheme> <id>`` first, then from the
session cookie; never from a query string or a form field.
"""

from __future__ import annotations

import enum
from typing import Any, Literal, TypedDict

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware

from rix_auth.client_ip import client_ip
from rix_auth.conf import settings
from rix_auth.error import AuthError, gettext_lazy
from rix_auth.error import AuthErrorCode as Code
from rix_auth.session import Session

Source = Literal["header", "cookie"]

STATUS = {
    Code.INVALID_INPUT: 400,
    Code.INVALID_CREDENTIALS: 401,
    Code.INVALID_SESSION: 401,
    Code.SESSION_EXPIRED: 401,
    Code.SESSION_REVOKED: 401,
    Code.USER_DISABLED: 403,
    Code.REAUTHENTICATION_REQUIRED: 403,
    Code.USER_NOT_FOUND: 404,
    Code.USER_ALREADY_EXISTS: 409,
    Code.TOO_MANY_ATTEMPTS: 429,
    Code.STORE_ERROR: 503,
}


def session_id_from(request: HttpRequest) -> tuple[str | None, Source | None]:
    """The session id the request carries and where it came from."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if value and scheme.lower() == settings.header_scheme_lower:
        return value.strip(), "header"
    cookie = request.COOKIES.get(settings.cookie_name)
    return (cookie, "cookie") if cookie else (None, None)


class Device(TypedDict):
    ip: str | None
    user_agent: str


def device(request: HttpRequest) -> Device:
    """What a new session records about the client, as the settings allow; the address is
    the forwarded one only behind ``RIX_AUTH["TRUSTED_PROXIES"]``."""
    return {
        "ip": client_ip(request) if settings.record_ip else None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "") if settings.record_user_agent else "",
    }


class HttpErrorCode(enum.StrEnum):
    """Refusals of the HTTP layer itself, before any auth rule runs; ``Auth`` never returns them."""

    CSRF_FAILED = "csrf_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    REQUEST_TOO_LARGE = "request_too_large"
    NOT_FOUND = "not_found"


HTTP_STATUS = {
    HttpErrorCode.CSRF_FAILED: 403,
    HttpErrorCode.NOT_FOUND: 404,
    HttpErrorCode.METHOD_NOT_ALLOWED: 405,
    HttpErrorCode.REQUEST_TOO_LARGE: 413,
    HttpErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
}


def _shaped(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def http_error(code: HttpErrorCode, message: str) -> JsonResponse:
    """The same shape as :func:`error_response`, for a refusal of the HTTP layer."""
    return _shaped(code.value, message, HTTP_STATUS[code])


def error_response(error: AuthError, status: int | None = None) -> JsonResponse:
    """``{"error": {"code", "message"}}`` with the status that fits the code, and ``Retry-After``
    (seconds) when the error says how long to wait."""
    status = status or STATUS[error.code]
    response = _shaped(error.code.value, error.message, status)
    if error.code is Code.STORE_ERROR:  # Auth logged the outage, at most once a minute; don't mail each 503
        response._has_been_logged = True  # type: ignore[attr-defined]
    if status == 401:
        response["WWW-Authenticate"] = f'{settings.header_scheme} error="invalid_token"'
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def set_session_cookie(response: HttpResponse, session: Session) -> None:
    """The cookie lives as long as the session, counted from its last sight."""
    response.set_cookie(
        settings.cookie_name,
        session.id,
        max_age=max(int((session.expires_at - session.last_seen_at).total_seconds()), 0),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite=settings.cookie_samesite,
    )


def delete_session_cookie(response: HttpResponse) -> None:
    response.delete_cookie(settings.cookie_name, path="/", samesite=settings.cookie_samesite)


class _CsrfReason(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> Any:
        return reason  # the reason, not a response: callers answer in their own way


def _protected(request: HttpRequest) -> HttpResponse:  # a stand-in view that is not csrf_exempt
    raise AssertionError("never called")


# A broken multipart stream, too many fields or bytes (SuspiciousOperation), a charset Django will not decode.
_UNREADABLE_FORM = (MultiPartParserError, SuspiciousOperation, BadRequest)
UNREADABLE_FORM = gettext_lazy("The form body could not be read.")


def csrf_rejection(request: HttpRequest) -> HttpResponse | None:
    """Django's CSRF check, even for ``csrf_exempt`` views: ``None`` if it passes.

    It looks for the token in a form body, so a malformed form fails here: answered in
    JSON like every other refusal, not with Django's HTML 400.
    """
    try:
        reason = csrf_failure(request)
    except _UNREADABLE_FORM:
        return error_response(AuthError(Code.INVALID_INPUT, UNREADABLE_FORM))
    return None if reason is None else http_error(HttpErrorCode.CSRF_FAILED, csrf_message(reason))


def csrf_failure(request: HttpRequest) -> str | None:
    """Why Django's CSRF check refuses ``request``, even for a ``csrf_exempt`` view, or ``None``."""
    check = _CsrfReason(_protected)
    check.process_request(request)
    reason: str | None = check.process_view(request, _protected, (), {})  # type: ignore[assignment]  # _reject returns it
    return reason


CSRF_REFUSED = gettext_lazy("CSRF verification failed: %(reason)s")


def csrf_message(reason: str) -> str:
    return CSRF_REFUSED % {"reason": reason}  # Django's reasons are English, as in its own 403 page
