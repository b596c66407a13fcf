"""The example site's pages: log in with a password or a one-time link, see your devices, revoke them.

Plain Django views over the configured Auth; the session travels in
rix_auth's HttpOnly cookie and every form carries Django's CSRF token.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

import rix_auth
from example_project import magic_link
from rix_auth import http
from rix_auth.session import RevokeReason, Session

LINK_SENT = (
    "If an account uses that email, a sign-in link is on its way. This example prints it instead of mailing it: "
    f"check the terminal running the site. The link works once, for {magic_link.TIMEOUT_SECONDS // 60} minutes."
)
BAD_LINK = "This sign-in link is invalid, already used or expired. Ask for a new one."


def home(request: HttpRequest) -> HttpResponse:
    session: Session | None = request.rix_session  # type: ignore[attr-defined]
    if session is None:
        return render(request, "home.html")
    auth = rix_auth.get_auth()
    devices, now = auth.sessions_of(session.user_id), auth.clock()
    live = [s for s in devices.value if s.usable(now)] if devices.ok else []
    return render(request, "home.html", {"session": session, "devices": live, "account": request.user})


@require_POST
def login(request: HttpRequest) -> HttpResponse:
    auth, email, password = rix_auth.get_auth(), request.POST.get("email", ""), request.POST.get("password", "")
    if request.POST.get("register"):
        registered = auth.register_user(email, password)
        if registered.error is not None:
            return render(request, "home.html", {"error": registered.error.message}, status=400)
    result = auth.login(email, password, request=request, **http.device(request))
    if result.error is not None:
        return render(request, "home.html", {"error": result.error.message}, status=400)
    response = HttpResponseRedirect("/")
    http.set_session_cookie(response, result.value.session)
    return response


@require_POST
def revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    if request.rix_session is not None:  # type: ignore[attr-defined]
        rix_auth.get_auth().revoke_session(public_id, reason=RevokeReason.LOGOUT, user_id=request.user_id)  # type: ignore[attr-defined]
    return HttpResponseRedirect("/")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if request.POST.get("everywhere") and request.rix_session is not None:  # type: ignore[attr-defined]
        rix_auth.get_auth().logout_user(request.user_id)  # type: ignore[attr-defined]
    rix_auth.logout(request)
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
