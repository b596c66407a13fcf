"""Views the tests point requests at."""

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.views import View
from django.views.decorators.http import require_POST

import rix_auth
from rix_auth import http
from rix_auth.decorators import SessionRequiredMixin, session_required

ONE_TIME_CODE = "314159"
GREETING = "Hello {{ user }}"
GREETING_WITH_PERMISSIONS = "Hello {{ user }}{% if perms.auth.view_user %}, who may view users{% endif %}"


def plain(request: HttpRequest) -> JsonResponse:
    """No protection: shows what the middleware set."""
    error = request.rix_auth_error  # type: ignore[attr-defined]
    return JsonResponse({"user_id": request.user_id, "error": error and error.code.value})  # type: ignore[attr-defined]


@session_required
async def async_protected(request: HttpRequest) -> HttpResponse:
    user: Any = await request.auser()
    return JsonResponse({"user_id": request.user_id, "email": user.email})  # type: ignore[attr-defined]


def with_cache_headers(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("cached")
    response["Vary"] = "Accept-Language"
    response["Cache-Control"] = "max-age=60"
    return response


class Protected(SessionRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse({"user_id": request.user_id})  # type: ignore[attr-defined]


@require_POST
def sign_in_with_code(request: HttpRequest) -> HttpResponse:
    """A one-time-code sign-in: the code proves who it is, then ``rix_auth.login`` opens the session.

    Answers with what the view itself sees on the request afterwards.
    """
    body = json.loads(request.body)
    if body.get("code") != ONE_TIME_CODE:
        return JsonResponse({"error": "wrong code"}, status=403)
    user = get_user_model()._default_manager.get(email=body["email"])
    cookie = body.get("cookie", True)
    result = rix_auth.login(request, user, cookie=cookie)
    if result.error is not None:
        return http.error_response(result.error)
    session = result.value
    seen: Any = request.user
    payload = {
        "user_id": request.user_id,  # type: ignore[attr-defined]
        "user": seen.pk,
        "email": seen.email,
        "public_id": session.public_id,
        "rix_session": request.rix_session is session,  # type: ignore[attr-defined]
    }
    if not cookie:
        payload["session_id"] = session.id
    return JsonResponse(payload)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """``rix_auth.logout``, answering with what the request looks like afterwards."""
    result = rix_auth.logout(request)
    if result.error is not None:
        return http.error_response(result.error)
    return JsonResponse({"user_id": request.user_id, "authenticated": request.user.is_authenticated})  # type: ignore[attr-defined]


@login_required
def members(request: HttpRequest) -> JsonResponse:
    user: Any = request.user
    return JsonResponse({"email": user.email})


class UserReport(PermissionRequiredMixin, View):
    permission_required = "auth.view_user"

    def get(self, request: HttpRequest) -> HttpResponse:
        user: Any = request.user
        return JsonResponse({"email": user.email})


def greeting(request: HttpRequest, source: str = GREETING) -> HttpResponse:
    """A template that reads ``{{ user }}`` (and ``{{ perms }}``) through the auth context processor."""
    return HttpResponse(engines["django"].from_string(source).render(request=request))


async def awaited_user(request: HttpRequest) -> JsonResponse:
    user: Any = await request.auser()
    return JsonResponse({"authenticated": user.is_authenticated, "user": user.pk, "user_id": request.user_id})  # type: ignore[attr-defined]


class AsyncProtected(SessionRequiredMixin, View):
    async def get(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse({"user_id": request.user_id})  # type: ignore[attr-defined]
