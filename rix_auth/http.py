"""How a session id travels over HTTP, and how errors answer.

The id is read from ``Authorization: <scheme> <id>`` first, then from the
session cookie; never from a query string or a form field.
"""

from __future__ import annotations

from typing import Literal, TypedDict

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware

from rix_auth import inputs
from rix_auth.conf import settings
from rix_auth.error import AuthError
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
    Code.USER_NOT_FOUND: 404,
    Code.USER_ALREADY_EXISTS: 409,
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
    """What a new session records about the client, as the settings allow."""
    address = request.META.get("REMOTE_ADDR", "")
    return {
        "ip": address if settings.record_ip and inputs.is_ip(address) else None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "") if settings.record_user_agent else "",
    }


def error_response(error: AuthError, status: int | None = None) -> JsonResponse:
    """``{"error": {"code", "message"}}`` with the status that fits the code."""
    status = status or STATUS[error.code]
    response = JsonResponse({"error": {"code": error.code.value, "message": error.message}}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = f'{settings.header_scheme} error="invalid_token"'
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


class _JsonCsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> HttpResponse:
        body = {"error": {"code": "csrf_failed", "message": f"CSRF verification failed: {reason}"}}
        return JsonResponse(body, status=403)


def _protected(request: HttpRequest) -> HttpResponse:  # a stand-in view that is not csrf_exempt
    raise AssertionError("never called")


def csrf_rejection(request: HttpRequest) -> HttpResponse | None:
    """Django's CSRF check, even for ``csrf_exempt`` views: ``None`` if it passes."""
    check = _JsonCsrfCheck(_protected)
    check.process_request(request)
    return check.process_view(request, _protected, (), {})
