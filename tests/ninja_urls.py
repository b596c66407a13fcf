"""django-ninja APIs protected by rix_auth, for tests/test_ninja.py.

``api`` (under ``/api/``) answers refusals with rix_auth's JSON error; every path has a sync and an
``-async`` operation. ``plain_api`` (under ``/plain/``) sets ``auth=`` on the API itself and has no
error handler: ninja's own ``{"detail": ...}`` answers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Router

from rix_auth.contrib.ninja import RixBearer, RixCookie, RixSession, add_error_handler
from rix_auth.session import Session

api = NinjaAPI(urls_namespace="rix_ninja")
add_error_handler(api)
router = Router(auth=RixSession())
plain_api = NinjaAPI(urls_namespace="rix_ninja_plain", auth=RixSession())


def described(request: HttpRequest, user: Any) -> dict[str, Any]:
    session = request.auth  # type: ignore[attr-defined]
    assert isinstance(session, Session)
    return {"user_id": user.pk, "email": user.email, "session": session.public_id, "method": request.method}


for name, auth in (("bearer", RixBearer()), ("cookie", RixCookie()), ("session", RixSession())):

    @api.api_operation(["GET", "POST"], f"/{name}", auth=auth, url_name=name, operation_id=name)
    def sync_operation(request: HttpRequest) -> dict[str, Any]:
        return described(request, request.user)

    @api.api_operation(
        ["GET", "POST"], f"/{name}-async", auth=auth, url_name=f"{name}-async", operation_id=f"{name}_async"
    )
    async def async_operation(request: HttpRequest) -> dict[str, Any]:
        return described(request, await request.auser())


@api.post("/cookie-exempt", auth=RixCookie())
@csrf_exempt
def cookie_exempt(request: HttpRequest) -> dict[str, Any]:
    return described(request, request.user)


@router.get("/me")
def router_me(request: HttpRequest) -> dict[str, Any]:
    return described(request, request.user)


@router.get("/me-async")
async def router_me_async(request: HttpRequest) -> dict[str, Any]:
    return described(request, await request.auser())


@plain_api.get("/me")
def plain_me(request: HttpRequest) -> dict[str, Any]:
    return described(request, request.user)


api.add_router("/router", router)

urlpatterns = [
    path("auth/", include("rix_auth.urls")),
    path("api/", api.urls),
    path("plain/", plain_api.urls),
]
