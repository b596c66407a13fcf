"""DRF views behind RixSessionAuthentication, for tests/test_drf.py."""

from django.contrib.auth.models import Group
from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny, DjangoModelPermissions, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from rix_auth.contrib.drf import RixSessionAuthentication
from rix_auth.session import Session


class Described(serializers.Serializer[object]):  # for drf-spectacular only
    user_id = serializers.IntegerField()


class RixView(APIView):
    # APIView reads DEFAULT_AUTHENTICATION_CLASSES when DRF is imported, before any override_settings.
    authentication_classes = [RixSessionAuthentication]
    permission_classes = [IsAuthenticated]
    serializer_class = Described

    def described(self, request):
        user = request.user
        return {
            "user_id": user.pk,
            "email": getattr(user, "email", None),
            "user_class": type(user).__name__,
            "auth_is_session": isinstance(request.auth, Session),
            "session_user_id": getattr(request.auth, "user_id", None),
        }

    def get(self, request):
        return Response(self.described(request))

    def post(self, request):
        return Response(self.described(request))


class Open(RixView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"authenticated": request.user.is_authenticated, "auth": request.auth})


class Groups(RixView):
    permission_classes = [DjangoModelPermissions]
    queryset = Group.objects.all()

    def post(self, request):
        return Response({"created": True}, status=201)


class TwoPerMinute(UserRateThrottle):
    rate = "2/min"  # set here: UserRateThrottle reads DEFAULT_THROTTLE_RATES when DRF is imported


class Throttled(RixView):
    throttle_classes = [TwoPerMinute]


urlpatterns = [
    path("auth/", include("rix_auth.urls")),
    path("api/me/", RixView.as_view()),
    path("api/open/", Open.as_view()),
    path("api/groups/", Groups.as_view()),
    path("api/throttled/", Throttled.as_view()),
]
