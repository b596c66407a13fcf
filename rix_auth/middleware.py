"""Authenticate the session id of each request.

Sets ``request.user_id`` (pk or ``None``), ``request.rix_session`` (the
Session or ``None``) and ``request.rix_auth_error`` (why an id was refused,
or ``None``). A request without an id costs no query; one with an id costs
one SELECT, plus one UPDATE when sliding refresh is due.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject

from rix_auth import conf, http
from rix_auth.error import AuthErrorCode
from rix_auth.result import Result
from rix_auth.session import Session, UserId

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class SessionMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        session_id, source = http.session_id_from(request)
        if rejected := _forged(request, source):
            return rejected
        _attach(request, source, _authenticate(request, session_id) if session_id else None)
        return _finish(request, self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        session_id, source = http.session_id_from(request)
        if rejected := _forged(request, source):
            return rejected
        outcome = await sync_to_async(_authenticate)(request, session_id) if session_id else None
        _attach(request, source, outcome)
        return _finish(request, await self.get_response(request))


def _forged(request: HttpRequest, source: http.Source | None) -> HttpResponse | None:
    """Cookies ride along on cross-site requests, so an unsafe request that a cookie
    would authenticate must pass Django's CSRF check, whatever the view; headers need not."""
    if source == "cookie" and request.method not in SAFE_METHODS:
        return http.csrf_rejection(request)
    return None


def _authenticate(request: HttpRequest, session_id: str) -> Result[Session]:
    auth = http.auth_for(request)
    return auth.authenticate_session(session_id, refresh_if_idle_for=conf.transport().refresh_interval_seconds)


def _attach(request: HttpRequest, source: http.Source | None, outcome: Result[Session] | None) -> None:
    session = outcome.value if outcome is not None and outcome.ok else None
    request.rix_session_source = source  # type: ignore[attr-defined]
    request.rix_session = session  # type: ignore[attr-defined]
    request.rix_auth_error = None if outcome is None else outcome.error  # type: ignore[attr-defined]
    request.user_id = None if session is None else session.user_id  # type: ignore[attr-defined]
    if not hasattr(request, "user"):  # django.contrib.auth's middleware has the last word
        request.user = SimpleLazyObject(lambda: _user(request.user_id))  # type: ignore[assignment,attr-defined]
        request.auser = lambda: sync_to_async(_user)(request.user_id)  # type: ignore[attr-defined]


def _user(user_id: UserId | None) -> Any:
    """The session's user; like Django's ModelBackend, an inactive user is anonymous."""
    user = None if user_id is None else get_user_model()._default_manager.filter(pk=user_id).first()
    return user if user is not None and getattr(user, "is_active", True) else AnonymousUser()


def _vary(response: HttpResponse, header: str) -> None:
    if response.has_header("Vary"):
        patch_vary_headers(response, [header])
    else:  # the common case, without parsing
        response["Vary"] = header


def _private(response: HttpResponse) -> None:
    """No shared cache may keep a response that depended on a session."""
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = "private"
    elif "no-store" not in response["Cache-Control"]:
        patch_cache_control(response, private=True)


def _finish(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    source = request.rix_session_source  # type: ignore[attr-defined]
    if source is None:
        return response
    _vary(response, "Cookie" if source == "cookie" else "Authorization")
    _private(response)
    session, error = request.rix_session, request.rix_auth_error  # type: ignore[attr-defined]
    if source == "cookie" and conf.transport().cookie_name not in response.cookies:
        if error is not None and error.code is not AuthErrorCode.STORE_ERROR:
            http.delete_session_cookie(response)  # a dead cookie is cleared; an outage keeps it
        elif session is not None and http.refreshed_now(request, session):  # the cookie follows the refresh
            http.set_session_cookie(response, session, session.last_seen_at)
    return response
