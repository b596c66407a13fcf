"""The example site's pages: log in with a form, see your devices, revoke them.

Plain Django views over the Auth service; the session travels in rix_auth's
HttpOnly cookie and every form carries Django's CSRF token.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from rix_auth import http
from rix_auth.session import Session


def home(request: HttpRequest) -> HttpResponse:
    session: Session | None = request.rix_session  # type: ignore[attr-defined]
    if session is None:
        return render(request, "home.html")
    auth = http.auth_for(request)
    devices, now = auth.sessions_of(session.user_id), http.request_time(request)
    live = [s for s in devices.value if s.usable(now)] if devices.ok else []
    account = auth.users.get(session.user_id)
    return render(request, "home.html", {"session": session, "account": account, "devices": live})


@require_POST
def login(request: HttpRequest) -> HttpResponse:
    auth, email, password = http.auth_for(request), request.POST.get("email", ""), request.POST.get("password", "")
    if request.POST.get("register"):
        registered = auth.register_user(email, password)
        if registered.error is not None:
            return render(request, "home.html", {"error": registered.error.message}, status=400)
    result = auth.login(email, password, **http.device(request))
    if result.error is not None:
        return render(request, "home.html", {"error": result.error.message}, status=400)
    response = HttpResponseRedirect("/")
    http.set_session_cookie(response, result.value.session, result.value.session.created_at)
    return response


@require_POST
def revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    if request.rix_session is not None:  # type: ignore[attr-defined]
        http.auth_for(request).revoke_session(public_id, reason="logout", user_id=request.user_id)  # type: ignore[attr-defined]
    return HttpResponseRedirect("/")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    session_id, _ = http.session_id_from(request)
    everywhere = request.POST.get("everywhere") and request.rix_session is not None  # type: ignore[attr-defined]
    if everywhere:
        http.auth_for(request).logout_user(request.user_id)  # type: ignore[attr-defined]
    elif session_id:
        http.auth_for(request).logout(session_id)
    response = HttpResponseRedirect("/")
    http.delete_session_cookie(response)
    return response

