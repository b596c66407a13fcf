""" "Your devices": every live session of the account, and the buttons that end them."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from rix_auth.client_ip import client_ip
from rix_auth.conf import get_auth
from rix_auth.devices import current_first, device_name
from rix_auth.error import AuthError, AuthErrorCode, is_
from rix_auth.session import RevokeReason, Session
from rix_auth.web.account import signed_out
from rix_auth.web.forms import PasswordForm
from rix_auth.web.pages import DEVICES, SIGN_IN, form_page, page, post_only, to_sign_in, unavailable

DEVICES_PAGE = "rix_auth/devices.html"


@dataclass(frozen=True, slots=True)
class Device:
    """One row of the page: the session, its device's name, and whether it is the one asking."""

    session: Session
    name: str
    current: bool


@never_cache
@require_safe
@page
def devices(request: HttpRequest) -> HttpResponse:
    if request.rix_session is None:  # type: ignore[attr-defined]
        return redirect_to_login(request.get_full_path(), reverse(SIGN_IN))
    return devices_page(request, PasswordForm())


def devices_page(request: HttpRequest, form: PasswordForm, error: AuthError | None = None) -> HttpResponse:
    """The live sessions, this device's first; ``form`` is the password for "sign out everywhere"."""
    auth, current = get_auth(), request.rix_session  # type: ignore[attr-defined]
    listed = auth.sessions_of(current.user_id)
    if listed.error is not None:
        return unavailable(request, listed.error.message)
    now = auth.clock()
    live = current_first([s for s in listed.value if s.usable(now)], current.public_id)
    rows = [Device(s, device_name(s.user_agent), s.public_id == current.public_id) for s in live]
    return form_page(request, DEVICES_PAGE, form, error, devices=rows)


@csrf_protect
@post_only(DEVICES)
@page
def revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    """End one of the account's sessions; this device's own is a plain sign-out."""
    session = request.rix_session  # type: ignore[attr-defined]
    if session is None:
        return to_sign_in(request)
    if public_id == session.public_id:
        return signed_out(request, _("You are signed out."))
    revoked = get_auth().revoke_session(public_id, reason=RevokeReason.LOGOUT, user_id=session.user_id)
    if is_(revoked.error, AuthErrorCode.STORE_ERROR):
        return unavailable(request, _("Signing that device out failed. Try again in a moment."))
    if revoked.error is not None:  # a malformed handle, or another account's: the same answer
        messages.error(request, _("That device is not signed in to your account."))
    else:
        name = device_name(revoked.value.session.user_agent)
        messages.success(request, _("Signed out of %(device)s.") % {"device": name})
    return HttpResponseRedirect(reverse(DEVICES))


@sensitive_post_parameters("password")
@csrf_protect
@post_only(DEVICES)
@page
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """A sensitive action: the password again (the service's re-authentication, throttled as a
    login), then every session of the account ends, this device's included."""
    session_id = request.rix_state.session_id  # type: ignore[attr-defined]
    if request.rix_session is None:  # type: ignore[attr-defined]
        return to_sign_in(request)
    form, auth = PasswordForm(request.POST), get_auth()
    if not form.is_valid():
        return devices_page(request, form)
    confirmed = auth.reauthenticate(session_id, form.cleaned_data["password"], ip=client_ip(request), request=request)
    if confirmed.error is not None:
        return devices_page(request, form, confirmed.error)
    if auth.logout_user(request.user_id).error is not None:  # type: ignore[attr-defined]
        return unavailable(request, _("Signing out everywhere failed. Try again in a moment."))
    return signed_out(request, _("Signed out everywhere."))
