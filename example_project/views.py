"""The example site's pages: log in with a form, see your devices, revoke them.

Plain Django views over the configured Auth; the session travels in
rix_auth's HttpOnly cookie and every form carries Django's CSRF token.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

import rix_auth
from rix_auth import http
from rix_auth.session import RevokeReason, Session


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
