"""The benchmark's views: one hand-written SELECT, one ORM get(), and a rix-authenticated view."""

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


urlpatterns = [path("baseline/", baseline), path("orm/", orm), path("rix/", rix)]
