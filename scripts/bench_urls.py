"""The benchmark's views: one hand-written SELECT, one ORM get(), and two views behind authentication."""

import os

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from rix_auth.models import Session

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


urlpatterns = [path("baseline/", baseline), path("orm/", orm), path("rix/", rix), path("user/", user)]
