"""Serve the document, describing the endpoints where this URLconf is mounted."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt

from rix_auth.bodies import allow
from rix_auth.openapi.document import DOCUMENT, document

MAX_AGE_SECONDS = 3600  # it changes only with a deploy or a settings change


@csrf_exempt
@allow("GET")
def openapi_json(request: HttpRequest) -> JsonResponse:
    """The server URL is where this instance of ``rix_auth.urls`` is mounted, under any prefix."""
    from rix_auth.urls import urlpatterns  # here: rix_auth.urls imports this module

    namespace = request.resolver_match.namespace if request.resolver_match else ""
    name = f"{namespace}:{DOCUMENT}" if namespace else DOCUMENT
    mount = reverse(name).rpartition("/")[0] + "/"
    response = JsonResponse(document(request.build_absolute_uri(mount), urlpatterns))
    patch_cache_control(response, public=True, max_age=MAX_AGE_SECONDS)
    return response
