"""The example site's pages: log in with a password or a one-time link, see your devices, revoke them.

Plain Django views over the configured Auth; the session travels in
rix_auth's HttpOnly cookie and every form carries Django's CSRF token.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

import rix_auth
from example_project import magic_link
from rix_auth import http, signin
from rix_auth.client_ip import client_ip
from rix_auth.error import AuthError, AuthErrorCode, is_
from rix_auth.session import RevokeReason, Session

LINK_SENT = (
    "If an account uses that email, a sign-in link is on its way. This example prints it instead of mailing it: "
    f"check the terminal running the site. The link works once, for {magic_link.TIMEOUT_SECONDS // 60} minutes."
)
BAD_LINK = "This sign-in link is invalid, already used or expired. Ask for a new one."
LOGOUT_FAILED = (
    "Logging out failed: the session store is unavailable, so this device is still signed in. "
    "Try again in a moment."
)
REVOKE_FAILED = "Revoking that device failed: the session store is unavailable. Try again in a moment."


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", _page(request))


def _page(request: HttpRequest) -> dict[str, object]:
    session: Session | None = request.rix_session  # type: ignore[attr-defined]
    if session is None:
        return {}
    auth = rix_auth.get_auth()
    devices, now = auth.sessions_of(session.user_id), auth.clock()
    live = [s for s in devices.value if s.usable(now)] if devices.ok else []
    return {"session": session, "devices": live, "account": request.user}


def _outage(error: AuthError | None) -> bool:
    return is_(error, AuthErrorCode.STORE_ERROR)


def _failed(request: HttpRequest, message: str) -> HttpResponse:
    """Say it failed (503), with the log-out buttons to retry: the cookie is still there."""
    return render(request, "home.html", {**_page(request), "error": message, "unavailable": True}, status=503)


def _refused(request: HttpRequest, error: AuthError) -> HttpResponse:
    """The form again with why; throttled attempts are 429 with ``Retry-After``, as on the JSON API."""
    status = http.STATUS[error.code] if is_(error, AuthErrorCode.TOO_MANY_ATTEMPTS) else 400
    response = render(request, "home.html", {"error": error.message}, status=status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


@sensitive_post_parameters("password")  # kept out of error reports
@require_POST
def login(request: HttpRequest) -> HttpResponse:
    auth, email, password = rix_auth.get_auth(), request.POST.get("email", ""), request.POST.get("password", "")
    if request.POST.get("register"):
        registered = auth.register_user(email, password, ip=client_ip(request))  # for the per-address limit
        if registered.error is not None:
            return _refused(request, registered.error)
    result = auth.login(email, password, request=request, **http.device(request))  # ip: the throttle's key too
    if result.error is not None:
        return _refused(request, result.error)
    signin.adopt(request, result.value.session, result.value.user.native, cookie=True)  # replaces any old session
    return HttpResponseRedirect("/")


@require_POST
def revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    if _outage(request.rix_auth_error):  # type: ignore[attr-defined]
        return _failed(request, REVOKE_FAILED)
    if request.rix_session is not None:  # type: ignore[attr-defined]
        auth = rix_auth.get_auth()
        revoked = auth.revoke_session(public_id, reason=RevokeReason.LOGOUT, user_id=request.user_id)  # type: ignore[attr-defined]
        if _outage(revoked.error):
            return _failed(request, REVOKE_FAILED)
    return HttpResponseRedirect("/")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Only a success redirects: a failed log-out must not look like one."""
    if request.POST.get("everywhere"):  # a page from before "everywhere" asked for the password
        return HttpResponseRedirect(reverse("logout_everywhere"))
    if _outage(request.rix_auth_error):  # type: ignore[attr-defined]
        return _failed(request, LOGOUT_FAILED)
    if _outage(rix_auth.logout(request).error):  # the cookie stays, so the button works again
        return _failed(request, LOGOUT_FAILED)
    return HttpResponseRedirect("/")


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """A sensitive action: GET asks for the password again, POST re-authenticates, then ends every session."""
    # The middleware could not even read the session: "everywhere" cannot be done either.
    if _outage(request.rix_auth_error):  # type: ignore[attr-defined]
        return _failed(request, LOGOUT_FAILED)
    state = request.rix_state  # type: ignore[attr-defined]
    if request.rix_session is None:  # type: ignore[attr-defined]
        return HttpResponseRedirect("/")
    if request.method == "GET":
        return render(request, "logout_everywhere.html", _page(request))
    auth, password = rix_auth.get_auth(), request.POST.get("password", "")
    confirmed = auth.reauthenticate(state.session_id, password, ip=client_ip(request), request=request)
    if _outage(confirmed.error):
        return _failed(request, LOGOUT_FAILED)
    if confirmed.error is not None:  # a wrong password: say so, and do nothing
        context = {**_page(request), "error": confirmed.error.message}
        return render(request, "logout_everywhere.html", context, status=400)
    if auth.logout_user(request.user_id).error is not None:  # type: ignore[attr-defined]
        return _failed(request, LOGOUT_FAILED)
    if _outage(rix_auth.logout(request).error):  # this device's session: already revoked, now the cookie
        return _failed(request, LOGOUT_FAILED)
    return HttpResponseRedirect("/")


@require_POST
def request_link(request: HttpRequest) -> HttpResponse:
    """The same page whether or not the email has an account, so the form reveals nobody."""
    user = magic_link.active_user_with_email(request.POST.get("email", ""))
    if user is not None:
        magic_link.deliver(getattr(user, user.get_email_field_name()), magic_link.link_for(request, user))
    return render(request, "home.html", {"notice": LINK_SENT})


@require_http_methods(["GET", "POST"])
def use_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET only shows a button: mail scanners that fetch links must not spend them. POST signs in."""
    if request.method == "GET":
        user = magic_link.user_for_link(uidb64, token)
        if user is None:
            return render(request, "magic_link.html", {"error": BAD_LINK}, status=400)
        return render(request, "magic_link.html", {"email": getattr(user, user.get_email_field_name())})
    with transaction.atomic():
        user = magic_link.user_for_link(uidb64, token, lock=True)
        signed_in = None if user is None else rix_auth.login(request, user)  # moves last_login: the link is spent
    if signed_in is None:
        return render(request, "magic_link.html", {"error": BAD_LINK}, status=400)
    if signed_in.error is not None:
        return render(request, "magic_link.html", {"error": signed_in.error.message}, status=400)
    return HttpResponseRedirect("/")
