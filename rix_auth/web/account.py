"""Sign in, create an account, sign out: thin views over the Auth service, in the cookie mode."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from rix_auth import http, signin
from rix_auth.client_ip import client_ip
from rix_auth.conf import get_auth
from rix_auth.error import AuthErrorCode, is_
from rix_auth.web.forms import RegisterForm, SignInForm
from rix_auth.web.pages import DEVICES, View, form_page, go_next, page, post_only, to_sign_in, unavailable

SIGN_IN_PAGE = "rix_auth/sign_in.html"
REGISTER_PAGE = "rix_auth/register.html"


def password_page(view: View) -> View:
    """A page whose form carries a password: kept out of error reports, CSRF-checked, never cached."""
    guarded = page(require_http_methods(["GET", "HEAD", "POST"])(view))
    return sensitive_post_parameters("password")(csrf_protect(never_cache(guarded)))


@password_page
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        if request.rix_session is not None:  # type: ignore[attr-defined]
            return go_next(request)  # already signed in: where the link wanted to go
        return form_page(request, SIGN_IN_PAGE, SignInForm())
    form = SignInForm(request.POST)
    if not form.is_valid():
        return form_page(request, SIGN_IN_PAGE, form)
    email, password = form.cleaned_data["email"], form.cleaned_data["password"]
    result = get_auth().login(email, password, request=request, **http.device(request))  # ip: the throttle's key
    if result.error is not None:
        return form_page(request, SIGN_IN_PAGE, form, result.error)
    signin.adopt(request, result.value.session, result.value.user.native or result.value.user, cookie=True)
    return go_next(request)


@password_page
def register(request: HttpRequest) -> HttpResponse:
    """Create the account, then sign it in on this device through :func:`rix_auth.login`."""
    if request.method != "POST":
        return form_page(request, REGISTER_PAGE, RegisterForm())
    form = RegisterForm(request.POST)
    if not form.is_valid():
        return form_page(request, REGISTER_PAGE, form)
    email, password = form.cleaned_data["email"], form.cleaned_data["password"]
    registered = get_auth().register_user(email, password, ip=client_ip(request))  # for the per-address limit
    if registered.error is not None:
        return form_page(request, REGISTER_PAGE, form, registered.error)
    messages.success(request, _("Account created."))
    signed_in = signin.login(request, registered.value.native or registered.value, cookie=True)
    if signed_in.error is not None:  # the account exists; only this sign-in failed
        messages.error(request, signed_in.error.message)
        return to_sign_in(request)
    return go_next(request)


@csrf_protect
@post_only(DEVICES)
@page
def sign_out(request: HttpRequest) -> HttpResponse:
    """Only a success says so: in an outage the cookie stays and the button can be pressed again."""
    if request.rix_session is None:  # type: ignore[attr-defined]
        return to_sign_in(request)
    return signed_out(request, _("You are signed out."))


def signed_out(request: HttpRequest, done: str) -> HttpResponse:
    """End this device's session and clear its cookie; then say ``done`` on the sign-in page.

    A Django login on the same browser (the admin's) ends too: signing out means signed out.
    """
    if is_(signin.logout(request).error, AuthErrorCode.STORE_ERROR):
        return unavailable(request, _("Signing out failed: this device is still signed in. Try again in a moment."))
    if hasattr(request, "session"):
        auth_logout(request)
    messages.success(request, done)
    return to_sign_in(request)
