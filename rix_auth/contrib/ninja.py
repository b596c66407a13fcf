"""django-ninja authentication by rix_auth session (the ``rix-auth[ninja]`` extra).

``auth=RixBearer()`` reads ``Authorization: Bearer <id>``, ``auth=RixCookie()`` the session
cookie (unsafe methods need the CSRF token), ``auth=RixSession()`` both, the header first,
as the middleware does. On success ninja sets ``request.auth`` to the
:class:`~rix_auth.session.Session`, and ``request.user`` is its user.

- No id at all: the class returns ``None``, ninja tries the next ``auth`` callable and at
  the end answers its own 401.
- An id that is refused (or a cookie request without its CSRF token) raises
  :class:`SessionRefused`: with :func:`add_error_handler` the answer is rix_auth's
  ``{"error": {"code", "message"}}`` with the status of the code (401, 403 ``user_disabled``,
  503 ``store_error``...); without it, ninja's ``HttpError`` handler answers the same status
  with ``{"detail": message}``.

When rix_auth's middleware already authenticated the same id, its outcome is reused (the one
query in all); otherwise the class looks the session up itself (one query). Each class works on
sync and async operations alike: ninja treats it as async, and it answers at once outside an
event loop (sync operations, which ninja runs in a worker thread under ASGI) and with a
coroutine inside one (async operations).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from ninja.errors import AuthenticationError
from ninja.security.base import AuthBase, SecuritySchema

from rix_auth import http, reporting
from rix_auth.conf import get_auth, settings
from rix_auth.middleware import SAFE_METHODS
from rix_auth.result import Result
from rix_auth.session import Session, SessionUse
from rix_auth.state import outcome_for, set_user, state_of

if TYPE_CHECKING:
    from ninja import NinjaAPI

__all__ = ["RixBearer", "RixCookie", "RixSession", "SessionRefused", "add_error_handler"]


class SessionRefused(AuthenticationError):
    """A session id was refused, or its cookie request failed the CSRF check.

    ``response`` is rix_auth's JSON error answer; ``code`` its stable code string.
    """

    def __init__(self, response: HttpResponse) -> None:
        body = json.loads(response.content)["error"]
        super().__init__(status_code=response.status_code, message=body["message"])
        self.code: str = body["code"]
        self.response = response


def add_error_handler(api: NinjaAPI) -> None:
    """Answer :class:`SessionRefused` with rix_auth's JSON error, on every operation of ``api``."""
    api.add_exception_handler(SessionRefused, _answer)


def _answer(request: HttpRequest, exc: SessionRefused | type[SessionRefused]) -> HttpResponse:
    assert isinstance(exc, SessionRefused)  # ninja passes the instance it caught
    return exc.response


class _RixAuth(AuthBase):
    def __init__(self) -> None:
        # Not AuthBase.__init__: it would freeze the OpenAPI scheme now, before settings are read.
        self.is_async = True  # ninja awaits what __call__ returns inside an event loop, and only there

    @property
    def openapi_security_schema(self) -> SecuritySchema:
        """What ninja's OpenAPI schema lists, from the settings as they are when it is built."""
        return self.security_scheme()

    @openapi_security_schema.setter
    def openapi_security_schema(self, value: SecuritySchema) -> None:
        pass  # computed on each read

    def security_scheme(self) -> SecuritySchema:
        raise NotImplementedError

    def get_session_id(self, request: HttpRequest) -> str | None:
        """The id this class reads from the request, or ``None``."""
        raise NotImplementedError

    def check(self, request: HttpRequest, session_id: str) -> None:
        """Raise :class:`SessionRefused` if the request may not use this id before it is looked up."""

    def __call__(self, request: HttpRequest) -> Session | Awaitable[Session] | None:
        session_id = self.get_session_id(request)
        if not session_id:
            return None
        self.check(request, session_id)
        decided = outcome_for(request, session_id)
        if decided is not None:
            session = _accepted(decided)
            return _ready(session) if _in_event_loop() else session
        if _in_event_loop():
            return self._alookup(request, session_id)
        outcome = get_auth().use_session(session_id, refresh_if_idle_for=settings.refresh_interval_seconds)
        return _adopted(request, outcome)

    async def _alookup(self, request: HttpRequest, session_id: str) -> Session:
        outcome = await get_auth().ause_session(session_id, refresh_if_idle_for=settings.refresh_interval_seconds)
        return _adopted(request, outcome)


class RixBearer(_RixAuth):
    """``Authorization: <RIX_AUTH["HEADER_SCHEME"]> <session id>``; needs no CSRF token."""

    def security_scheme(self) -> SecuritySchema:
        return SecuritySchema("http", scheme=settings.header_scheme_lower)

    def get_session_id(self, request: HttpRequest) -> str | None:
        scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        return value.strip() if value and scheme.lower() == settings.header_scheme_lower else None


class RixCookie(_RixAuth):
    """The session cookie (``RIX_AUTH["COOKIE_NAME"]``). Unsafe methods need Django's CSRF token,
    unless ``csrf=False`` or the operation is ``csrf_exempt`` (rix_auth's middleware, when
    installed, checks every cookie request before any view, exempt or not)."""

    def __init__(self, *, csrf: bool = True) -> None:
        super().__init__()
        self.csrf = csrf

    def security_scheme(self) -> SecuritySchema:
        return SecuritySchema("apiKey", **{"in": "cookie", "name": settings.cookie_name})

    def get_session_id(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(settings.cookie_name) or None

    def check(self, request: HttpRequest, session_id: str) -> None:
        if not self.csrf or request.method in SAFE_METHODS or getattr(request, "_ninja_csrf_exempt", False):
            return
        state = state_of(request)
        if state is not None and state.source == "cookie" and state.session_id == session_id:
            return  # the middleware checked this cookie's request already, and let it through
        if rejected := http.csrf_rejection(request):
            raise SessionRefused(rejected)


class RixSession(tuple[RixBearer, RixCookie]):
    """The header first, then the cookie, as rix_auth's middleware reads them: a list of two
    ``auth`` callables, so ninja's OpenAPI schema lists both schemes as alternatives. A refused
    header answers at once; the cookie is only tried when no header of rix_auth's scheme came.
    Spread it to add more: ``auth=[*RixSession(), django_auth]``."""

    def __new__(cls, *, csrf: bool = True) -> RixSession:
        return super().__new__(cls, (RixBearer(), RixCookie(csrf=csrf)))


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _accepted(decided: Result[Session]) -> Session:
    if decided.error is not None:
        raise SessionRefused(http.error_response(decided.error))
    return decided.value


def _adopted(request: HttpRequest, outcome: Result[SessionUse]) -> Session:
    """The session this class looked up itself; its user becomes ``request.user`` from the row
    already read. ``request.rix_state`` stays the middleware's (or absent)."""
    request.exception_reporter_filter = reporting.request_filter()  # hide the id in error reports
    session = _accepted(outcome.map(lambda used: used.session))
    if session.holder is not None:
        set_user(request, SimpleLazyObject(session.holder.user))
    return session


async def _ready(session: Session) -> Session:
    return session
