"""The JSON endpoints: thin callers of the Auth service.

Every view is ``csrf_exempt`` for Django's middleware because rix_auth's own
middleware applies CSRF where it matters: to requests that a cookie
authenticates, and to logins that ask for a cookie. Requests that carry the
id in the ``Authorization`` header cannot be forged cross-site. Methods and
bodies are checked by :mod:`rix_auth.bodies`, so every answer, a 405 or 415
included, is JSON.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie

from rix_auth import http, signin
from rix_auth.bodies import Credentials, allow, takes_credentials, takes_password
from rix_auth.client_ip import client_ip
from rix_auth.conf import get_auth
from rix_auth.decorators import session_required
from rix_auth.devices import current_first, device_name
from rix_auth.error import AuthErrorCode, gettext_lazy
from rix_auth.http import HttpErrorCode
from rix_auth.session import RevokeReason, Session, User
from rix_auth.state import RequestState


@csrf_exempt
@allow("GET")
@ensure_csrf_cookie
def csrf(request: HttpRequest) -> JsonResponse:
    """The CSRF token a cookie-based client echoes in ``X-CSRFToken``."""
    return JsonResponse({"csrf_token": get_token(request)})


@csrf_exempt
@allow("POST")
@takes_credentials
def register(request: HttpRequest, given: Credentials) -> HttpResponse:
    # The address only keys the per-address limit (nothing stores it), so RECORD_IP does not apply.
    result = get_auth().register_user(given.email, given.password, ip=client_ip(request))
    if result.error is not None:
        return http.error_response(result.error)
    return JsonResponse({"user": _user(result.value)}, status=201)


@csrf_exempt
@allow("POST")
@takes_credentials
def login(request: HttpRequest, given: Credentials) -> HttpResponse:
    if given.cookie and (rejected := http.csrf_rejection(request)):
        return rejected
    result = get_auth().login(given.email, given.password, request=request, **http.device(request))
    if result.error is not None:
        response: HttpResponse = http.error_response(result.error)
    else:
        session = result.value.session
        payload: dict[str, Any] = {"user": _user(result.value.user), "session": _session(session)}
        if not given.cookie:  # a cookie login keeps the secret out of reach of scripts
            payload["session_id"] = session.id
        response = JsonResponse(payload)
        signin.adopt(request, session, result.value.user.native or result.value.user, cookie=given.cookie)
    patch_cache_control(response, no_store=True)  # no cache may keep or share a fresh session
    return response


@csrf_exempt
@allow("GET")
@session_required
def whoami(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"user_id": request.user_id, "session": _session(request.rix_session)})  # type: ignore[attr-defined]


@csrf_exempt
@allow("POST")
@session_required
def refresh(request: HttpRequest) -> HttpResponse:
    state: RequestState = request.rix_state  # type: ignore[attr-defined]
    if not state.refreshed:  # the middleware's sliding refresh may have done it already
        result = get_auth().refresh_session(state.session_id)  # type: ignore[arg-type]
        if result.error is not None:
            return http.error_response(result.error)
        state.session, state.refreshed = result.value, True
    return JsonResponse({"session": _session(state.session)})  # type: ignore[arg-type]


@csrf_exempt
@allow("POST")
@session_required
@takes_password
def reauthenticate(request: HttpRequest, password: str) -> HttpResponse:
    """Confirm the password of this session's user, for views behind ``recent_login_required``."""
    state: RequestState = request.rix_state  # type: ignore[attr-defined]
    ip = client_ip(request)  # like register's: it only keys the throttle, so RECORD_IP does not apply
    result = get_auth().reauthenticate(state.session_id, password, ip=ip, request=request)  # type: ignore[arg-type]
    if result.error is not None:
        return http.error_response(result.error)
    state.session = request.rix_session = result.value  # type: ignore[attr-defined]
    return JsonResponse({"session": _session(result.value)})


@csrf_exempt
@allow("POST")
def logout(request: HttpRequest) -> HttpResponse:
    """Succeeds for an expired or revoked session too: the goal is that it is dead."""
    result = signin.logout(request)
    return http.error_response(result.error) if result.error else JsonResponse({"logged_out": True})


@csrf_exempt
@allow("POST")
@session_required
def logout_all(request: HttpRequest) -> HttpResponse:
    result = get_auth().logout_user(request.user_id)  # type: ignore[attr-defined]
    if result.error is not None:
        return http.error_response(result.error)
    request.rix_state.clear_cookie = True  # type: ignore[attr-defined]
    return JsonResponse({"revoked": result.value})


@csrf_exempt
@allow("GET")
@session_required
def sessions(request: HttpRequest) -> HttpResponse:
    """The user's live sessions (devices): the calling one first, then newest first; never their ids."""
    auth = get_auth()
    result = auth.sessions_of(request.user_id)  # type: ignore[attr-defined]
    if result.error is not None:
        return http.error_response(result.error)
    now, current = auth.clock(), request.rix_session.public_id  # type: ignore[attr-defined]
    live = current_first((s for s in result.value if s.usable(now)), current)
    return JsonResponse({"sessions": [_device(s, current) for s in live]})


@csrf_exempt
@allow("POST")
@session_required
def revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    """Revoke one of the caller's own sessions; another user's handle is "not found"."""
    result = get_auth().revoke_session(public_id, reason=RevokeReason.LOGOUT, user_id=request.user_id)  # type: ignore[attr-defined]
    if result.error is not None:
        status = 404 if result.error.code is AuthErrorCode.INVALID_SESSION else None
        return http.error_response(result.error, status)
    return JsonResponse({"revoked": public_id})


def _user(user: User) -> dict[str, object]:
    return {"id": user.id, "email": user.email}


def _session(session: Session) -> dict[str, object]:
    return {
        "public_id": session.public_id,
        "created_at": session.created_at.isoformat(),
        "expires_at": session.expires_at.isoformat(),
        "last_seen_at": session.last_seen_at.isoformat(),
        "authenticated_at": session.authenticated_at.isoformat(),
    }


def _device(session: Session, current: str) -> dict[str, object]:
    return {**_session(session), "ip": session.ip, "user_agent": session.user_agent,
            "device": device_name(session.user_agent), "current": session.public_id == current}  # fmt: skip


NO_ENDPOINT = gettext_lazy("There is no endpoint at this address.")
MISSING_SLASH = gettext_lazy("There is no endpoint at this address; did you mean %(path)s (with the slash)?")


@csrf_exempt
def unknown(request: HttpRequest, path: str) -> JsonResponse:
    """Any other address under the mount, whatever the method: a JSON 404 (Django's is HTML)."""
    message = NO_ENDPOINT
    if not request.path_info.endswith("/") and _an_endpoint(request.path_info + "/"):
        message = MISSING_SLASH % {"path": request.path + "/"}
    return http.http_error(HttpErrorCode.NOT_FOUND, message)


def _an_endpoint(path_info: str) -> bool:
    try:
        return resolve(path_info).url_name != "unknown"
    except Resolver404:
        return False
