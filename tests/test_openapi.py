"""The OpenAPI document: valid 3.1, served where rix_auth.urls is mounted, and complete.

Completeness is proven by driving every endpoint through every way it can fail: each answer
must be listed for its operation, and each listed answer must be one a test reached.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import include, path
from openapi_spec_validator import OpenAPIV31SpecValidator

from rix_auth.clock import ManualClock
from rix_auth.conf import get_auth
from rix_auth.conf import settings as rix_settings
from rix_auth.openapi.refusals import REFUSALS
from rix_auth.urls import urlpatterns as rix_patterns
from tests.conftest import EMAIL, PASSWORD, bearer

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as HttpResponse

pytestmark = pytest.mark.django_db
urlpatterns = [path("api/v2/auth/", include("rix_auth.urls"))]  # ROOT_URLCONF of the prefix test
OTHER_HANDLE = "0123456789abcdef"
STRICT_LIMITS = ("THROTTLE_LOGIN_PER_EMAIL_IP", "THROTTLE_REGISTER_PER_IP")  # so a second attempt is 429


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    return client.get("/auth/openapi.json").json()


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    OpenAPIV31SpecValidator(document).validate()
    assert document["openapi"] == "3.1.0"


def test_it_describes_every_route_of_rix_auth_urls_but_itself_and_the_json_404(document: dict[str, Any]) -> None:
    described = {operation["operationId"] for item in document["paths"].values() for operation in _operations(item)}
    assert described == {pattern.name for pattern in rix_patterns} - {"openapi", "unknown"} == set(REFUSALS)
    assert "/sessions/{public_id}/revoke/" in document["paths"]


def test_it_is_served_relative_to_the_mount_point_and_may_be_cached(client: Client) -> None:
    response = client.get("/auth/openapi.json")
    assert response["Content-Type"] == "application/json"
    assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=3600"}
    assert response.json()["servers"] == [{"url": "http://testserver/auth"}]


@override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["api.example.com"])
def test_under_another_prefix_the_server_url_follows(client: Client) -> None:
    response = client.get("/api/v2/auth/openapi.json", headers={"Host": "api.example.com"}, secure=True)
    assert response.json()["servers"] == [{"url": "https://api.example.com/api/v2/auth"}]


def test_other_methods_get_the_json_405(client: Client) -> None:
    response = client.post("/auth/openapi.json")
    assert (response.status_code, response["Allow"], response.json()["error"]["code"]) == (
        405, "GET, HEAD", "method_not_allowed"
    )  # fmt: skip


def test_the_security_schemes_follow_the_settings(client: Client, settings: Any) -> None:
    settings.RIX_AUTH = {"PRESET": "development", "COOKIE_NAME": "sid", "HEADER_SCHEME": "Session"}
    schemes = client.get("/auth/openapi.json").json()["components"]["securitySchemes"]
    assert (schemes["sessionHeader"]["scheme"], schemes["sessionCookie"]["name"]) == ("Session", "sid")
    assert schemes["csrfHeader"] == {**schemes["csrfHeader"], "in": "header", "name": "X-CSRFTOKEN"}


def test_unsafe_operations_need_the_csrf_header_with_the_cookie(document: dict[str, Any]) -> None:
    assert document["paths"]["/refresh/"]["post"]["security"] == [
        {"sessionHeader": []}, {"sessionCookie": [], "csrfHeader": []}
    ]  # fmt: skip
    assert document["paths"]["/session/"]["get"]["security"] == [{"sessionHeader": []}, {"sessionCookie": []}]
    assert "security" not in document["paths"]["/login/"]["post"]


class Api:
    """Valid requests to each operation, and the ways to spoil them."""

    def __init__(
        self, client: Client, document: dict[str, Any], clock: ManualClock, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.client, self.clock, self.monkeypatch = client, clock, monkeypatch
        self.routes = {
            operation["operationId"]: (route, method.upper())
            for route, item in document["paths"].items()
            for method, operation in item.items()
            if method != "parameters"
        }

    def login(self) -> str:
        result = get_auth().login(EMAIL, PASSWORD)
        assert result.error is None
        return result.value.session.id

    def send(self, operation: str, session_id: str | None = None, *, client: Client | None = None,
             method: str | None = None, body: bytes | None = None, content_type: str = "application/json",
             handle: str = OTHER_HANDLE) -> HttpResponse:  # fmt: skip
        route, default = self.routes[operation]
        url = "/auth" + route.replace("{public_id}", handle)
        if body is None:
            body = json.dumps({"email": EMAIL, "password": PASSWORD}).encode()
        headers = bearer(session_id) if session_id else {}
        return (client or self.client).generic(method or default, url, body, content_type=content_type, headers=headers)


Scenario = Callable[[Api, str], "HttpResponse"]


def _outage(api: Api, operation: str) -> HttpResponse:
    session_id = api.login()

    def refuse(*args: object) -> None:
        raise OperationalError("the database went away")

    with connection.execute_wrapper(refuse):
        return api.send(operation, session_id)


def _expired(api: Api, operation: str) -> HttpResponse:
    session_id = api.login()
    api.clock.advance(days=8)
    return api.send(operation, session_id)


def _revoked(api: Api, operation: str) -> HttpResponse:
    session_id = api.login()
    get_auth().logout(session_id)
    return api.send(operation, session_id)


def _disabled(api: Api, operation: str) -> HttpResponse:
    from django.contrib.auth import get_user_model

    session_id = api.login()
    get_user_model().objects.update(is_active=False)
    return api.send(operation, session_id)


def _browser(api: Api) -> Client:
    """A browser with a session cookie and Django's CSRF cookie, which sends no CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    browser.get("/auth/csrf/")
    browser.cookies[rix_settings.cookie_name] = api.login()
    return browser


def _cookie_without_csrf_token(api: Api, operation: str) -> HttpResponse:
    return api.send(operation, client=_browser(api))


def _unreadable_form(api: Api, operation: str) -> HttpResponse:
    return api.send(operation, client=_browser(api), body=b"--x--", content_type="multipart/form-data")


def _throttled(api: Api, operation: str) -> HttpResponse:
    session_id = api.login() if operation == "reauthenticate" else None
    wrong = json.dumps({"email": EMAIL, "password": "wrong-password"}).encode()
    api.send(operation, session_id, body=wrong)
    return api.send(operation, session_id, body=wrong)


def _store_refuses_new_sessions(api: Api, operation: str) -> HttpResponse:
    api.monkeypatch.setattr(get_auth().sessions, "create", lambda *args, **kwargs: None)
    return api.send(operation)


def _user_gone(api: Api, operation: str) -> HttpResponse:
    session_id = api.login()
    api.monkeypatch.setattr(get_auth().users, "get", lambda user_id: None)
    return api.send(operation, session_id)


def _scenarios() -> Iterator[tuple[str, str, Scenario, tuple[int, str]]]:
    """(operation, what goes wrong, how to make it, the answer expected)."""
    session = [name for name, refusals in REFUSALS.items() if ("session_expired", 401) in refusals]
    bodies = ["register", "login", "reauthenticate"]
    for name in REFUSALS:
        yield name, "another method", lambda api, op: api.send(op, method="DELETE"), (405, "method_not_allowed")
    for name in [*bodies, "refresh", "logout", "logout-all", "revoke"]:
        yield name, "cookie without CSRF token", _cookie_without_csrf_token, (403, "csrf_failed")
        yield name, "form the CSRF check cannot read", _unreadable_form, (400, "invalid_input")
    for name in bodies:
        signed_in = name == "reauthenticate"
        yield name, "text/plain body", _send_with(signed_in, content_type="text/plain"), (415, "unsupported_media_type")
        yield name, "body over 16 KiB", _send_with(signed_in, body=b" " * 17_000), (413, "request_too_large")
        yield name, "a JSON array", _send_with(signed_in, body=b"[]"), (400, "invalid_input")
        yield name, "a store outage", _outage, (503, "store_error")
        yield name, "too many attempts", _throttled, (429, "too_many_attempts")
    for name in session:
        yield name, "no session id", lambda api, op: api.send(op), (401, "invalid_session")
        yield name, "a malformed id", lambda api, op: api.send(op, "not-a-session-id"), (400, "invalid_input")
        yield name, "an expired session", _expired, (401, "session_expired")
        yield name, "a revoked session", _revoked, (401, "session_revoked")
        yield name, "a disabled user", _disabled, (403, "user_disabled")
        yield name, "a store outage", _outage, (503, "store_error")
    yield "register", "an address in use", lambda api, op: api.send(op), (409, "user_already_exists")
    yield "login", "a wrong password", _send_with(False, body=b'{"email": "x@y.z", "password": "p"}'), (
        401, "invalid_credentials"
    )  # fmt: skip
    yield "login", "a disabled user", _disabled, (403, "user_disabled")
    yield "login", "sessions revoked meanwhile", _store_refuses_new_sessions, (401, "session_revoked")
    yield "reauthenticate", "a wrong password", _send_with(True, body=b'{"password": "wrong"}'), (
        401, "invalid_credentials"
    )  # fmt: skip
    yield "logout", "no session id", lambda api, op: api.send(op), (401, "invalid_session")
    yield "logout", "a malformed id", lambda api, op: api.send(op, "not-a-session-id"), (400, "invalid_input")
    yield "logout", "a store outage", _outage, (503, "store_error")
    yield "logout-all", "the user is gone", _user_gone, (404, "user_not_found")
    yield "revoke", "an unknown handle", lambda api, op: api.send(op, api.login(), handle=OTHER_HANDLE), (
        404, "invalid_session"
    )  # fmt: skip
    yield "revoke", "a malformed handle", lambda api, op: api.send(op, api.login(), handle="nope"), (
        400, "invalid_input"
    )  # fmt: skip


def _send_with(signed_in: bool, **request: Any) -> Scenario:
    return lambda api, operation: api.send(operation, api.login() if signed_in else None, **request)


SCENARIOS = list(_scenarios())


@pytest.mark.parametrize(
    ("operation", "scenario", "expected"),
    [(operation, make, expected) for operation, _, make, expected in SCENARIOS],
    ids=[f"{operation}: {what}" for operation, what, _, _ in SCENARIOS],
)
def test_each_failure_answers_a_code_the_document_lists_for_the_operation(
    client: Client, document: dict[str, Any], registered: object, clock: ManualClock, settings: Any,
    monkeypatch: pytest.MonkeyPatch, operation: str, scenario: Scenario, expected: tuple[int, str],
) -> None:  # fmt: skip
    settings.RIX_AUTH = {**settings.RIX_AUTH, **dict.fromkeys(STRICT_LIMITS, (1, 60))}
    response = scenario(Api(client, document, clock, monkeypatch), operation)
    answer = (response.status_code, response.json()["error"]["code"])
    assert answer == expected
    assert answer[1] in _listed(document, operation, answer[0])
    required = {name for name, header in (_documented(document, operation, answer[0]) or {}).get("headers", {}).items()
                if header.get("required")}  # fmt: skip
    assert all(response.has_header(name) for name in required), required
    if answer[0] == 429:
        assert int(response["Retry-After"]) > 0


def test_the_document_lists_no_answer_the_scenarios_do_not_reach(document: dict[str, Any]) -> None:
    reached = {(operation, status, code) for operation, _, _, (status, code) in SCENARIOS}
    listed = {
        (operation["operationId"], int(status), code)
        for item in document["paths"].values()
        for operation in _operations(item)
        for status in operation["responses"]
        if int(status) >= 400
        for code in _listed(document, operation["operationId"], int(status))
    }
    assert listed == reached


def _operations(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [operation for method, operation in item.items() if method != "parameters"]


def _listed(document: dict[str, Any], operation_id: str, status: int) -> list[str]:
    """The error codes the document lists for ``operation_id`` answering ``status``."""
    response = _documented(document, operation_id, status)
    if response is None:
        return []
    error = response["content"]["application/json"]["schema"]["properties"]["error"]
    codes: list[str] = error["properties"]["code"]["enum"]
    return codes


def _documented(document: dict[str, Any], operation_id: str, status: int) -> dict[str, Any] | None:
    [operation] = [
        o for item in document["paths"].values() for o in _operations(item) if o["operationId"] == operation_id
    ]
    response: dict[str, Any] | None = operation["responses"].get(str(status))
    return response
