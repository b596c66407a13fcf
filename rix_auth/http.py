"""How a session id travels over HTTP, and how errors answer.

The id is read from ``Authorization: <scheme> <id>`` first, then from the
session cookie; never from a query string or a form field.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Literal, TypedDict

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware

from rix_auth import clock, conf, inputs, stores
from rix_auth.config import AuthConfig
from rix_auth.error import AuthError
from rix_auth.error import AuthErrorCode as Code
from rix_auth.service import Auth
from rix_auth.session import Session
from rix_auth.stores.base import SessionStore, UserStore

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


def request_time(request: HttpRequest) -> datetime:
    """One instant per request, so every check in it agrees on "now"."""
    now: datetime | None = getattr(request, "_rix_now", None)
    if now is None:
        now = request._rix_now = clock.system_clock()  # type: ignore[attr-defined]
    return now


def refreshed_now(request: HttpRequest, session: Session) -> bool:
    """Whether ``session`` was refreshed during this request (its last sight is the request's instant)."""
    return session.last_seen_at == request_time(request)


def auth_for(request: HttpRequest) -> Auth:
    """The database Auth, configured from settings, on the request's clock."""
    now = request_time(request)
    users, sessions, config = _configured()
    return Auth(users=users, sessions=sessions, config=config, clock=lambda: now)


@lru_cache(maxsize=1)
def _configured() -> tuple[UserStore, SessionStore, AuthConfig]:
    """Built once, not per request; ``forget_settings`` drops it when settings change."""
    return stores.database_users(), stores.database_sessions(), conf.auth_config()


def forget_settings(*, setting: str, **kwargs: object) -> None:
    """A ``setting_changed`` receiver (tests override settings at run time)."""
    if setting in ("RIX_AUTH", "AUTH_USER_MODEL", "DATABASES", "DEBUG"):
        _configured.cache_clear()


def session_id_from(request: HttpRequest) -> tuple[str | None, Source | None]:
    """The session id the request carries and where it came from."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if value and scheme.lower() == conf.transport().header_scheme:
        return value.strip(), "header"
    cookie = request.COOKIES.get(conf.transport().cookie_name)
    return (cookie, "cookie") if cookie else (None, None)


class Device(TypedDict):
    ip: str | None
    user_agent: str


def device(request: HttpRequest) -> Device:
    """What ``Auth.login`` records about the client, as the settings allow."""
    address = request.META.get("REMOTE_ADDR", "")
    return {
        "ip": address if conf.record_ip() and inputs.is_ip(address) else None,
        "user_agent": request.META.get("HTTP_USER_AGENT", "") if conf.record_user_agent() else "",
    }


def error_response(error: AuthError, status: int | None = None) -> JsonResponse:
    """``{"error": {"code", "message"}}`` with the status that fits the code."""
    status = status or STATUS[error.code]
    response = JsonResponse({"error": {"code": error.code.value, "message": error.message}}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = f'{conf.header_scheme()} error="invalid_token"'
    return response


def set_session_cookie(response: HttpResponse, session: Session, now: datetime) -> None:
    settings = conf.transport()
    response.set_cookie(
        settings.cookie_name,
        session.id,
        max_age=max(int((session.expires_at - now).total_seconds()), 0),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite=settings.cookie_samesite,
    )


def delete_session_cookie(response: HttpResponse) -> None:
    settings = conf.transport()
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
