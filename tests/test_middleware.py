"""The middleware's costs and guarantees: queries, writes, failures, sync and async."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.test import AsyncClient, Client, override_settings
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from rix_auth.clock import ManualClock
from rix_auth.models import Session as SessionRow
from tests.conftest import bearer

pytestmark = pytest.mark.django_db
Login = Callable[..., str]
WITHOUT_DJANGO_AUTH = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "rix_auth.middleware.SessionMiddleware",
]


def test_a_request_without_an_id_costs_no_query(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        assert client.get("/whoami-plain/").json() == {"user_id": None, "error": None}


def test_an_authenticated_request_costs_one_select_and_no_write(
    client: Client, bearer_login: Login, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    session_id = bearer_login()
    with django_assert_num_queries(1) as captured:
        assert client.get("/whoami-plain/", headers=bearer(session_id)).json()["user_id"] is not None
    assert captured.captured_queries[0]["sql"].startswith("SELECT")


def test_sliding_refresh_writes_at_most_once_per_interval(
    client: Client, bearer_login: Login, clock: ManualClock, settings
) -> None:
    settings.RIX_AUTH = {"PRESET": "development", "REFRESH_INTERVAL_SECONDS": 300}
    session_id = bearer_login()
    writes = []
    for step in (100, 100, 100, 50, 260):  # seconds between requests
        clock.advance(step)
        with CaptureQueriesContext(connection) as captured:
            client.get("/whoami-plain/", headers=bearer(session_id))
        writes.append(sum(q["sql"].startswith("UPDATE") for q in captured.captured_queries))
        assert len(captured.captured_queries) == 1 + writes[-1]
    assert writes == [0, 0, 1, 0, 1]
    assert SessionRow.objects.get().last_seen_at == clock()


def test_sliding_refresh_can_be_switched_off(
    client: Client, bearer_login: Login, clock: ManualClock, settings
) -> None:
    settings.RIX_AUTH = {"PRESET": "development", "REFRESH_INTERVAL_SECONDS": None}
    session_id = bearer_login()
    clock.advance(days=1)
    with CaptureQueriesContext(connection) as captured:
        client.get("/whoami-plain/", headers=bearer(session_id))
    assert len(captured.captured_queries) == 1


def test_a_database_failure_never_lets_a_request_through_as_authenticated(
    client: Client, bearer_login: Login
) -> None:
    session_id = bearer_login()

    def refuse(execute, sql, params, many, context):
        raise OperationalError("the database went away")

    with connection.execute_wrapper(refuse):
        plain = client.get("/whoami-plain/", headers=bearer(session_id)).json()
        protected = client.get("/auth/session/", headers=bearer(session_id))
    assert plain == {"user_id": None, "error": "store_error"}
    assert (protected.status_code, protected.json()["error"]["code"]) == (503, "store_error")


@override_settings(MIDDLEWARE=WITHOUT_DJANGO_AUTH)
def test_request_user_is_loaded_lazily_when_django_auth_did_not_set_it(
    bearer_login: Login, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    session_id = bearer_login()
    client = Client()  # a fresh handler, built with the overridden MIDDLEWARE
    with django_assert_num_queries(1):  # the session; the user is never touched
        client.get("/whoami-class/", headers=bearer(session_id))
    response = client.get("/auth/session/", headers=bearer(session_id))
    request = response.wsgi_request
    with django_assert_num_queries(0):  # the user's row came with the session's
        assert request.user.email == "grace@example.com"  # type: ignore[union-attr]
    anonymous = client.get("/whoami-plain/").wsgi_request
    assert not anonymous.user.is_authenticated


@override_settings(MIDDLEWARE=WITHOUT_DJANGO_AUTH)
def test_the_middleware_serves_async_views(bearer_login: Login) -> None:
    session_id = bearer_login()
    user_id = get_user_model().objects.get().pk
    client = AsyncClient()

    async def visit() -> None:
        response = await client.get("/whoami-async/", headers=bearer(session_id))
        assert response.status_code == 200
        assert response.json() == {"user_id": user_id, "email": "grace@example.com"}
        refused = await client.get("/whoami-async/", headers=bearer("session_" + "z" * 43))
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "invalid_session")
        assert "Authorization" in refused["Vary"]

    async_to_sync(visit)()


@override_settings(MIDDLEWARE=WITHOUT_DJANGO_AUTH)
def test_an_inactive_user_is_anonymous_as_with_djangos_backend(bearer_login: Login) -> None:
    session_id = bearer_login()
    get_user_model().objects.update(is_active=False)  # sends no signal: the request path itself must notice
    response = Client().get("/whoami-plain/", headers=bearer(session_id))
    assert response.json() == {"user_id": None, "error": "user_disabled"}
    assert not response.wsgi_request.user.is_authenticated


def test_headers_a_view_already_set_are_merged_not_replaced(client: Client, bearer_login: Login) -> None:
    response = client.get("/whoami-headers/", headers=bearer(bearer_login()))
    assert set(response["Vary"].replace(" ", "").split(",")) == {"Accept-Language", "Authorization"}
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"max-age=60", "private"}


@override_settings(MIDDLEWARE=WITHOUT_DJANGO_AUTH)
def test_the_async_path_applies_csrf_to_cookie_requests_too(db: None) -> None:
    client = AsyncClient(enforce_csrf_checks=True)
    client.cookies["rix_session"] = "session_" + "c" * 43

    async def post() -> None:
        response = await client.post("/auth/logout/")
        assert (response.status_code, response.json()["error"]["code"]) == (403, "csrf_failed")

    async_to_sync(post)()


def test_a_refresh_request_writes_once_even_when_sliding_refresh_is_due(
    client: Client, bearer_login: Login, clock: ManualClock, settings
) -> None:
    settings.RIX_AUTH = {"PRESET": "development", "REFRESH_INTERVAL_SECONDS": 300}
    session_id = bearer_login()
    clock.advance(400)
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/auth/refresh/", headers=bearer(session_id))
    assert response.json()["session"]["last_seen_at"] == clock().isoformat()
    assert sum(q["sql"].startswith("UPDATE") for q in captured.captured_queries) == 1


def test_a_store_error_answer_is_not_logged_again_by_django(client: Client, registered: object) -> None:
    """Auth logs an outage at most once a minute; django.request would log (and mail) every 503."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("the database went away")

    with connection.execute_wrapper(refuse):
        body = {"email": "grace@example.com", "password": "correct-password"}
        response = client.post("/auth/login/", body, content_type="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (503, "store_error")
    assert response._has_been_logged  # type: ignore[attr-defined]


def test_the_mixin_refuses_an_async_class_based_view_without_a_session(bearer_login: Login) -> None:
    session_id = bearer_login()
    client = AsyncClient()

    async def visit() -> None:
        refused = await client.get("/whoami-async-class/")
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "invalid_session")
        assert (await client.get("/whoami-async-class/", headers=bearer(session_id))).status_code == 200

    async_to_sync(visit)()
