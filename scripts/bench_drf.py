"""The Django REST framework views scripts/bench.py compares: one body, behind rix_auth or open."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rix_auth.contrib.drf import RixSessionAuthentication


class RixView(APIView):
    """Set on the view, not in ``REST_FRAMEWORK``: APIView reads the defaults when DRF is imported."""

    authentication_classes: list[type[BaseAuthentication]] = [RixSessionAuthentication]
    permission_classes: list[type[BasePermission]] = [IsAuthenticated]
    renderer_classes = [JSONRenderer]  # no content negotiation against the browsable API

    def get(self, request: Request) -> Response:
        return Response({"user_id": request.user.pk})


class OpenView(RixView):
    """What DRF itself costs: no authentication class runs."""

    authentication_classes = []
    permission_classes = [AllowAny]
