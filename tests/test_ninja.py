"""rix_auth.contrib.ninja: RixBearer, RixCookie and RixSession as django-ninja ``auth=``, sync and async."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.http import HttpRequest
from django.test import AsyncClient, Client, override_settings
from pytest_django import DjangoAssertNumQueries

import rix_auth
from rix_auth.clock import ManualClock
from rix_auth.contrib.ninja import RixBearer, RixCookie, RixSession, SessionRefused
from rix_auth.session import Session
from tests import ninja_urls
from tests.conftest import EMAIL, bearer

pytestmark = pytest.mark.django_db
Login = Callable[..., str]
WITHOUT_RIX = [m for m in django_settings.MIDDLEWARE if m != "rix_auth.middleware.SessionMiddleware"]
CSRF_SECRET = "a" * 32  # a valid csrftoken cookie; the same string is an accepted X-CSRFToken
UNKNOWN = "session_" + "z" * 43


@pytest.fixture(autouse=True)
def _ninja_urls() -> Iterator[None]:
    with override_settings(ROOT_URLCONF="tests.ninja_urls"):
        yield


@pytest.fixture(params=["middleware", "no-middleware"])
def middleware(request: pytest.FixtureRequest) -> Iterator[str]:
    """With rix_auth's middleware (the classes reuse its outcome) and without it (they look up)."""
    with override_settings(MIDDLEWARE=django_settings.MIDDLEWARE if request.param == "middleware" else WITHOUT_RIX):
        yield request.param


def visit(
    kind: str,
    path: str,
    *,
    method: str = "get",
    headers: dict[str, str] | None = None,
    cookie: str | None = None,
    csrf: bool = False,
) -> Any:
    """One request from a fresh client that enforces CSRF: ``kind`` is "sync" (Client) or "async" (AsyncClient)."""
    client: Client | AsyncClient = (
        Client(enforce_csrf_checks=True) if kind == "sync" else AsyncClient(enforce_csrf_checks=True)
    )
    headers = dict(headers or {})
    if cookie is not None:
        client.cookies["rix_session"] = cookie
    if csrf:
        client.cookies["csrftoken"] = CSRF_SECRET
        headers["X-CSRFToken"] = CSRF_SECRET
    call = getattr(client, method)
    if kind == "sync":
        return call(path, headers=headers)
    return async_to_sync(call)(path, headers=headers)


def request_of(response: Any) -> HttpRequest:
    """The request the test client built: ``wsgi_request`` (Client) or ``asgi_request`` (AsyncClient)."""
    request: HttpRequest = getattr(response, "wsgi_request", None) or response.asgi_request
    return request


def error_of(response: Any) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"]
    return response.status_code, body["error"]["code"]


# success: request.auth is the Session, request.user its user


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    "operation", ["bearer", "bearer-async", "session", "session-async", "router/me", "router/me-async"]
)
def test_a_bearer_session_authenticates_sync_and_async_operations(
    bearer_login: Login, middleware: str, kind: str, operation: str
) -> None:
    session_id = bearer_login()
    user = get_user_model().objects.get()
    response = visit(kind, f"/api/{operation}", headers=bearer(session_id))
    assert response.status_code == 200, response.content
    request = request_of(response)
    session = request.auth  # type: ignore[attr-defined]
    assert isinstance(session, Session) and session.user_id == user.pk
    assert response.json() == {"user_id": user.pk, "email": EMAIL, "session": session.public_id, "method": "GET"}
    assert request.user.pk == user.pk
    assert hasattr(request, "rix_state") == (middleware == "middleware")  # never faked without the middleware


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("operation", ["cookie", "cookie-async", "session", "session-async"])
def test_a_cookie_session_authenticates_and_an_unsafe_method_needs_the_csrf_token(
    bearer_login: Login, middleware: str, kind: str, operation: str
) -> None:
    session_id, path = bearer_login(), f"/api/{operation}"
    assert visit(kind, path, cookie=session_id).json()["email"] == EMAIL
    refused = visit(kind, path, method="post", cookie=session_id)
    assert error_of(refused) == (403, "csrf_failed")  # the middleware's refusal, or the class's own
    accepted = visit(kind, path, method="post", cookie=session_id, csrf=True)
    assert (accepted.status_code, accepted.json()["method"]) == (200, "POST")


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_bearer_post_needs_no_csrf_token(bearer_login: Login, middleware: str, kind: str) -> None:
    session_id = bearer_login()
    for operation in ("bearer", "session-async"):
        assert visit(kind, f"/api/{operation}", method="post", headers=bearer(session_id)).status_code == 200


def test_a_csrf_exempt_operation_skips_the_check_only_without_the_middleware(bearer_login: Login) -> None:
    session_id = bearer_login()
    assert error_of(visit("sync", "/api/cookie-exempt", method="post", cookie=session_id)) == (403, "csrf_failed")
    with override_settings(MIDDLEWARE=WITHOUT_RIX):
        assert visit("sync", "/api/cookie-exempt", method="post", cookie=session_id).status_code == 200
    assert RixCookie(csrf=False).csrf is False and [c.csrf for c in RixSession(csrf=False)[1:]] == [False]


def test_rix_session_reads_the_header_first_and_the_cookie_only_without_one(
    bearer_login: Login, middleware: str
) -> None:
    session_id = bearer_login()
    refused = visit("sync", "/api/session", headers=bearer(UNKNOWN), cookie=session_id)
    assert error_of(refused) == (401, "invalid_session")  # a refused header is final, as in the middleware
    other_scheme = visit("sync", "/api/session", headers={"Authorization": f"Token {UNKNOWN}"}, cookie=session_id)
    assert other_scheme.status_code == 200


# failures: rix_auth's error code, shape and status


def unknown_session(login: Login, clock: ManualClock) -> str:
    return UNKNOWN


def malformed_id(login: Login, clock: ManualClock) -> str:
    return "not-a-session-id"


def expired_session(login: Login, clock: ManualClock) -> str:
    session_id = login()
    clock.advance(days=8)
    return session_id


def revoked_session(login: Login, clock: ManualClock) -> str:
    session_id = login()
    assert rix_auth.get_auth().logout(session_id).ok
    return session_id


def disabled_user(login: Login, clock: ManualClock) -> str:
    session_id = login()
    get_user_model().objects.update(is_active=False)
    return session_id


FAILURES = {
    "invalid_session": (unknown_session, 401),
    "invalid_input": (malformed_id, 400),
    "session_expired": (expired_session, 401),
    "session_revoked": (revoked_session, 401),
    "user_disabled": (disabled_user, 403),
}


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("code", FAILURES)
def test_each_refusal_answers_rix_auths_error_with_its_status(
    bearer_login: Login, clock: ManualClock, middleware: str, kind: str, code: str
) -> None:
    make, status = FAILURES[code]
    session_id = make(bearer_login, clock)
    for operation in ("bearer", "bearer-async"):
        response = visit(kind, f"/api/{operation}", headers=bearer(session_id))
        assert error_of(response) == (status, code), operation
        if status == 401:
            assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    cookie = visit(kind, "/api/cookie-async", cookie=session_id)
    assert error_of(cookie) == (status, code)


@pytest.mark.parametrize("operation", ["bearer", "bearer-async"])
def test_a_store_outage_answers_503_store_error(bearer_login: Login, middleware: str, operation: str) -> None:
    session_id = bearer_login()

    def refuse(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        raise OperationalError("the database went away")

    with connection.execute_wrapper(refuse):
        response = visit("sync", f"/api/{operation}", headers=bearer(session_id))
    assert error_of(response) == (503, "store_error")
    assert response._has_been_logged  # rix_auth logged it, once a minute


def test_without_credentials_ninja_answers_its_own_401(registered: object, middleware: str) -> None:
    for path in ("/api/bearer", "/api/cookie-async", "/api/session", "/plain/me"):
        response = visit("sync", path)
        assert (response.status_code, response.json()) == (401, {"detail": "Unauthorized"}), path


def test_without_the_error_handler_ninja_answers_the_status_and_the_message(bearer_login: Login) -> None:
    session_id = bearer_login()
    assert rix_auth.get_auth().logout(session_id).ok
    response = visit("sync", "/plain/me", headers=bearer(session_id))
    assert (response.status_code, response.json()) == (401, {"detail": "The session was revoked; log in again."})
    assert visit("sync", "/plain/me", headers=bearer(bearer_login())).status_code == 200
    assert issubclass(SessionRefused, Exception)


# costs


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("operation", ["bearer", "bearer-async", "cookie", "cookie-async", "session-async"])
def test_an_authenticated_operation_costs_one_query_with_or_without_the_middleware(
    bearer_login: Login, middleware: str, kind: str, operation: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    session_id = bearer_login()
    transport: dict[str, Any] = {"cookie": session_id} if "cookie" in operation else {"headers": bearer(session_id)}
    with django_assert_num_queries(1):  # the session joined with its user: request.user costs nothing more
        response = visit(kind, f"/api/{operation}", **transport)
    assert response.status_code == 200


# OpenAPI


def test_the_openapi_schema_lists_the_security_schemes_read_when_it_is_built() -> None:
    schema = ninja_urls.api.get_openapi_schema()
    assert schema["components"]["securitySchemes"] == {
        "RixBearer": {"type": "http", "scheme": "bearer"},
        "RixCookie": {"type": "apiKey", "in": "cookie", "name": "rix_session"},
    }
    security = {path: next(iter(operations.values()))["security"] for path, operations in schema["paths"].items()}
    assert security["/api/bearer"] == [{"RixBearer": []}]
    assert security["/api/cookie-async"] == [{"RixCookie": []}]
    assert security["/api/session"] == security["/api/router/me"] == [{"RixBearer": []}, {"RixCookie": []}]
    with override_settings(RIX_AUTH={"PRESET": "development", "COOKIE_NAME": "api_session", "HEADER_SCHEME": "Token"}):
        schemes = ninja_urls.api.get_openapi_schema()["components"]["securitySchemes"]
    assert schemes["RixCookie"]["name"] == "api_session" and schemes["RixBearer"]["scheme"] == "token"
    assert ninja_urls.plain_api.get_openapi_schema()["paths"]["/plain/me"]["get"]["security"] == [
        {"RixBearer": []},
        {"RixCookie": []},
    ]
    assert RixBearer().is_async and RixCookie().is_async  # ninja awaits them only inside an event loop
