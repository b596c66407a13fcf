"""What every page shares: where to go after a form, how a refusal reads, and the notices."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

from rix_auth.error import AuthError, AuthErrorCode

View = TypeVar("View", bound=Callable[..., HttpResponse])

NEXT = "next"
DEVICES = "rix_auth_web:devices"
SIGN_IN = "rix_auth_web:sign-in"

# A refusal answers with the status that tells a client (and a test) what happened; the rest is 400.
_STATUS = {AuthErrorCode.TOO_MANY_ATTEMPTS: 429, AuthErrorCode.STORE_ERROR: 503}
_FIELD = {AuthErrorCode.USER_ALREADY_EXISTS: "email"}


def safe_next(request: HttpRequest) -> str | None:
    """The ``next`` the request names (form first, then query), only if it stays on this site."""
    candidate = request.POST.get(NEXT) or request.GET.get(NEXT)
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else None


def go_next(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request) or reverse(DEVICES))


def to_sign_in(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(SIGN_IN))


def form_page(
    request: HttpRequest, template: str, form: forms.Form, error: AuthError | None = None, **context: Any
) -> HttpResponse:
    """The page with its form; a service refusal becomes a form error with the service's message
    (429 with ``Retry-After`` when throttled, 503 in an outage), an invalid form a 400."""
    status = 400 if form.errors else 200
    if error is not None:
        form.add_error(_FIELD.get(error.code), error.message)
        status = _STATUS.get(error.code, 400)
    response = render(request, template, {"form": form, NEXT: safe_next(request), **context}, status=status)
    if error is not None and error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def unavailable(request: HttpRequest, message: str) -> HttpResponse:
    """503: the session store did not answer, so nothing changed; trying again may work."""
    response = render(request, "rix_auth/unavailable.html", {"message": message}, status=503)
    response._has_been_logged = True  # type: ignore[attr-defined]  # Auth logged it, at most once a minute
    return response


def page(view: View) -> View:
    """For every page: a store outage while reading this device's session answers 503, and a
    cookie whose session ended elsewhere (or expired) is explained by a notice."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        error = getattr(request, "rix_auth_error", None)
        if error is not None and error.code is AuthErrorCode.STORE_ERROR:
            return unavailable(request, error.message)
        if error is not None and error.code in _ENDED:
            messages.warning(request, _ENDED[error.code])
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


_ENDED = {
    AuthErrorCode.SESSION_REVOKED: gettext_lazy("You were signed out on this device."),
    AuthErrorCode.SESSION_EXPIRED: gettext_lazy("Your session on this device expired; sign in again."),
}


def post_only(belongs_to: str) -> Callable[[View], View]:
    """A form's target: a GET (a reload, a bookmark) goes to the page the form is on, not to a blank 405."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                return HttpResponseRedirect(reverse(belongs_to))
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
