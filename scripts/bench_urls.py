"""The benchmark's views: one hand-written SELECT, one ORM get(), two plain views behind
authentication and the Django REST framework views of scripts/bench_drf.py (and bench_knox.py)."""

import os

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from rix_auth.models import Session
from scripts.bench_drf import OpenView, RixView

SELECT = "SELECT user_id, expires_at, revoked_at FROM rix_auth_session WHERE digest = %s"


def baseline(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(SELECT, [os.environ["RIX_AUTH_BENCH_DIGEST"]])
        row = cursor.fetchone()
    return HttpResponse(str(row[0]))


def orm(request: HttpRequest) -> HttpResponse:
    session = Session.objects.select_related("user").get(digest=os.environ["RIX_AUTH_BENCH_DIGEST"])
    return HttpResponse(str(session.user.pk))


def rix(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(request.user_id))  # type: ignore[attr-defined]


def user(request: HttpRequest) -> HttpResponse:
    """Whichever middleware authenticated the request (rix_auth's, or Django's session and auth)."""
    return HttpResponse(request.user.get_username())


urlpatterns = [
    path("baseline/", baseline),
    path("orm/", orm),
    path("rix/", rix),
    path("user/", user),
    path("drf/rix/", RixView.as_view()),
    path("drf/open/", OpenView.as_view()),
]
if "knox" in settings.INSTALLED_APPS:
    from scripts.bench_knox import KnoxView

    urlpatterns.append(path("drf/knox/", KnoxView.as_view()))
