"""The same session protecting two JSON APIs: a Django REST framework view and a django-ninja endpoint.

Both read the session from ``Authorization: Bearer <id>`` (what ``POST /auth/login/`` hands a
client) or from the cookie the sign-in page sets; with the cookie, a POST needs the CSRF token.
Both answer with who is asking, and a POST answers the same, to show that rule.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rix_auth.contrib.drf import RixSessionAuthentication
from rix_auth.contrib.ninja import RixSession, add_error_handler
from rix_auth.session import Session


def whoami(user: Any, session: Session) -> dict[str, Any]:
    """Never the session id: the public handle names the session."""
    return {"user_id": user.pk, "email": user.email, "session": session.public_id}


class Me(APIView):
    """``/api/drf/me/``: DRF answers 401 ``{"detail": ...}`` when no session came."""

    authentication_classes = [RixSessionAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    def get(self, request: Request) -> Response:
        assert isinstance(request.auth, Session)  # what RixSessionAuthentication sets
        return Response(whoami(request.user, request.auth))

    def post(self, request: Request) -> Response:
        return self.get(request)


ninja_api = NinjaAPI(urls_namespace="example_ninja", title="rix_auth example", auth=RixSession())
add_error_handler(ninja_api)  # a refused session answers rix_auth's {"error": {"code", "message"}}


@ninja_api.api_operation(["GET", "POST"], "/me", url_name="me")
def me(request: HttpRequest) -> dict[str, Any]:
    """``/api/ninja/me``: ninja answers 401 ``{"detail": "Unauthorized"}`` when no session came."""
    return whoami(request.user, request.auth)  # type: ignore[attr-defined]
