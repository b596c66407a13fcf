"""Require an authenticated session, or a recent login: decorators for functions, mixins for classes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, overload

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse

from rix_auth import http
from rix_auth.conf import get_auth
from rix_auth.error import AuthError, AuthErrorCode, gettext_lazy

View = TypeVar("View", bound=Callable[..., Any])

NO_SESSION = gettext_lazy("Log in first: this request carries no session id.")
RECENT_LOGIN_SECONDS = 600  # what recent_login_required and RecentLoginRequiredMixin accept by default


def refusal(request: HttpRequest) -> HttpResponse | None:
    """The 401 for a request without a usable session (the rejection's own code), or ``None``."""
    if getattr(request, "rix_session", None) is not None:
        return None
    error = getattr(request, "rix_auth_error", None) or AuthError(AuthErrorCode.INVALID_SESSION, NO_SESSION)
    return http.error_response(error)


def session_required(view: View) -> View:
    """Answer 401 with the error code unless the middleware authenticated a session."""
    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return refusal(request) or await view(request, *args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return refusal(request) or view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class SessionRequiredMixin:
    """For class-based views: put it first among the bases."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        refused = refusal(request)
        if refused is None:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return _dispatched(self, refused)


def recent_login_refusal(request: HttpRequest, max_age_seconds: float) -> HttpResponse | None:
    """:func:`refusal`'s 401 without a session; a 403 ``reauthentication_required`` when the user
    last proved who they are on it more than ``max_age_seconds`` ago (by rix_auth's clock); else ``None``."""
    refused = refusal(request)
    if refused is not None:
        return refused
    session = request.rix_session  # type: ignore[attr-defined]
    if session.authenticated_within(max_age_seconds, get_auth().clock()):
        return None
    return http.error_response(AuthError(AuthErrorCode.REAUTHENTICATION_REQUIRED))


@overload
def recent_login_required(view: View, /) -> View: ...
@overload
def recent_login_required(*, max_age_seconds: float = RECENT_LOGIN_SECONDS) -> Callable[[View], View]: ...
def recent_login_required(
    view: View | None = None, /, *, max_age_seconds: float = RECENT_LOGIN_SECONDS
) -> View | Callable[[View], View]:
    """For sensitive actions: as :func:`session_required`, and also 403 ``reauthentication_required``
    unless the user logged in or re-authenticated (``POST auth/reauthenticate/``) at most
    ``max_age_seconds`` ago. Use as ``@recent_login_required()`` or ``@recent_login_required``;
    sync and async views alike."""
    if view is not None and not callable(view):  # @recent_login_required(300): a view that could never run
        raise TypeError("Pass the age by name: @recent_login_required(max_age_seconds=...).")
    if isinstance(max_age_seconds, bool) or not isinstance(max_age_seconds, int | float) or max_age_seconds < 0:
        raise TypeError("max_age_seconds must be a number of seconds, 0 or more.")

    def decorator(view: View) -> View:
        if iscoroutinefunction(view):

            @functools.wraps(view)
            async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                return recent_login_refusal(request, max_age_seconds) or await view(request, *args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return recent_login_refusal(request, max_age_seconds) or view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator if view is None else decorator(view)


class RecentLoginRequiredMixin:
    """For class-based views, sync or async: put it first among the bases; set ``max_age_seconds``."""

    max_age_seconds: float = RECENT_LOGIN_SECONDS

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        refused = recent_login_refusal(request, self.max_age_seconds)
        if refused is None:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return _dispatched(self, refused)


def _dispatched(view: object, refused: HttpResponse) -> Any:
    """What ``dispatch`` returns for a refusal: Django awaits what an async view's dispatch returns."""
    if not getattr(view, "view_is_async", False):
        return refused

    async def answer() -> HttpResponse:
        return refused

    return answer()
