"""Views the tests point requests at."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import View

from rix_auth.decorators import SessionRequiredMixin, session_required


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
