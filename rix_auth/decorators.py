"""Require an authenticated session: a decorator for functions, a mixin for classes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse

from rix_auth import http
from rix_auth.error import AuthError, AuthErrorCode

View = TypeVar("View", bound=Callable[..., Any])

NO_SESSION = "Log in first: this request carries no session id."


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
        return refusal(request) or super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
