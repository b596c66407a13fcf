"""Authenticate the session id of each request.

Sets ``request.user_id`` (pk or ``None``), ``request.rix_session`` (the
Session or ``None``), ``request.rix_auth_error`` (why an id was refused, or
``None``) and ``request.rix_state`` (a :class:`~rix_auth.state.RequestState`).
When a session authenticates the request, ``request.user`` and
``request.auser()`` are its user, whatever middleware ran before; otherwise
they stay as Django's ``AuthenticationMiddleware`` left them (or anonymous).
A request without an id costs no query; one with an id costs one SELECT,
user included (or, with ``RIX_AUTH["CACHE"]``, one cache round trip and no
SQL), plus one UPDATE when sliding refresh is due.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject

from rix_auth import http, reporting
from rix_auth.conf import get_auth, settings
from rix_auth.error import AuthErrorCode
from rix_auth.result import Result
from rix_auth.session import SessionUse
from rix_auth.state import RequestState

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class SessionMiddleware:
    """Each step is a method, so a subclass can change one (where the id comes from, say)."""

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
        state = self.read(request)
        if rejected := self.check_csrf(request, state):
            return rejected
        if state.session_id:
            self.record(state, self.authenticate(request, state.session_id))
        self.attach(request, state)
        return self.process_response(request, self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        state = self.read(request)
        if rejected := self.check_csrf(request, state):
            return rejected
        if state.session_id:
            self.record(state, await self.aauthenticate(request, state.session_id))
        self.attach(request, state)
        return self.process_response(request, await self.get_response(request))

    def get_session_id(self, request: HttpRequest) -> tuple[str | None, http.Source | None]:
        """The id the request carries, and where it came from (``"header"`` or ``"cookie"``)."""
        return http.session_id_from(request)

    def read(self, request: HttpRequest) -> RequestState:
        """The id and its source; from here on, an error report on this request hides session ids."""
        request.exception_reporter_filter = reporting.request_filter()
        session_id, source = self.get_session_id(request)
        return RequestState(source=source, session_id=session_id)

    def check_csrf(self, request: HttpRequest, state: RequestState) -> HttpResponse | None:
        """Cookies ride along on cross-site requests, so an unsafe request that a cookie
        would authenticate must pass Django's CSRF check, whatever the view; headers need not."""
        if state.source == "cookie" and request.method not in SAFE_METHODS:
            return http.csrf_rejection(request)
        return None

    def authenticate(self, request: HttpRequest, session_id: str) -> Result[SessionUse]:
        return get_auth().use_session(session_id, refresh_if_idle_for=settings.refresh_interval_seconds)

    async def aauthenticate(self, request: HttpRequest, session_id: str) -> Result[SessionUse]:
        return await get_auth().ause_session(session_id, refresh_if_idle_for=settings.refresh_interval_seconds)

    def record(self, state: RequestState, outcome: Result[SessionUse]) -> None:
        if outcome.error is not None:
            state.error = outcome.error
        else:
            state.session, state.refreshed = outcome.value.session, outcome.value.refreshed

    def attach(self, request: HttpRequest, state: RequestState) -> None:
        """The session's user becomes ``request.user``, built from the row already read."""
        session = state.session
        if session is not None and session.holder is not None:
            state.attach(request, SimpleLazyObject(session.holder.user))
        elif not hasattr(request, "user"):
            from django.contrib.auth.models import AnonymousUser  # needs the app registry

            state.attach(request, AnonymousUser())
        else:
            state.attach(request, None)

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        state: RequestState = request.rix_state  # type: ignore[attr-defined]
        if state.source is None and not (state.issue_cookie or state.clear_cookie):
            return response
        if state.error is not None and state.error.code is AuthErrorCode.STORE_ERROR and response.status_code == 503:
            # Auth logged the outage, at most once a minute; django.request would mail every 503.
            response._has_been_logged = True  # type: ignore[attr-defined]
        _vary(response, "Authorization" if state.source == "header" else "Cookie")
        _private(response)
        if settings.cookie_name not in response.cookies:  # a view that set the cookie itself has the last word
            self.update_cookie(state, response)
        return response

    def update_cookie(self, state: RequestState, response: HttpResponse) -> None:
        """Issue, follow a refresh, or clear; a store outage never clears a cookie."""
        cookie_session = state.source == "cookie" or state.issue_cookie
        if state.issue_cookie and state.session is not None:
            http.set_session_cookie(response, state.session)
        elif state.clear_cookie or (
            state.source == "cookie" and state.error is not None and state.error.code is not AuthErrorCode.STORE_ERROR
        ):
            http.delete_session_cookie(response)
        elif cookie_session and state.refreshed and state.session is not None:
            http.set_session_cookie(response, state.session)


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
