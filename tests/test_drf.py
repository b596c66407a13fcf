"""rix_auth.contrib.drf: RixSessionAuthentication behind DRF views, with and without the middleware."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from rix_auth.clock import ManualClock
from rix_auth.conf import get_auth
from tests.conftest import EMAIL, PASSWORD

pytestmark = pytest.mark.django_db

Login = Callable[..., str]
RIX_MIDDLEWARE = "rix_auth.middleware.SessionMiddleware"
WITHOUT_RIX = [name for name in django_settings.MIDDLEWARE if name != RIX_MIDDLEWARE]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rix_auth.contrib.drf.RixSessionAuthentication"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
INVALID = 'Bearer error="invalid_token"'


@pytest.fixture(autouse=True)
def _drf_urls() -> Iterator[None]:
    with override_settings(ROOT_URLCONF="tests.drf_urls", REST_FRAMEWORK=REST_FRAMEWORK):
        yield


@pytest.fixture(params=["middleware", "no middleware"])
def stack(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every rule holds whether rix_auth's middleware authenticated the request first or not."""
    if request.param == "middleware":
        yield request.param
    else:
        with override_settings(MIDDLEWARE=WITHOUT_RIX):
            yield request.param


def api(session_id: str | None = None) -> APIClient:
    client = APIClient()
    if session_id is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {session_id}")
    return client


def test_a_bearer_session_makes_request_user_the_user_and_request_auth_the_session(
    bearer_login: Login, registered: dict[str, object], stack: str
) -> None:
    response = api(bearer_login()).get("/api/me/")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "user_id": registered["id"],
        "email": EMAIL,
        "user_class": get_user_model().__name__,
        "auth_is_session": True,
        "session_user_id": registered["id"],
    }


def test_the_header_scheme_follows_rix_auth_settings(bearer_login: Login, settings) -> None:
    session_id = bearer_login()
    settings.RIX_AUTH = {"PRESET": "development", "HEADER_SCHEME": "Session"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Session {session_id}")
    assert client.get("/api/me/").status_code == 200
    refused = api(session_id).get("/api/me/")  # "Bearer" is no longer rix_auth's: no credentials at all
    assert (refused.status_code, refused["WWW-Authenticate"]) == (401, "Session")


def _expire(session_id: str, clock: ManualClock) -> None:
    clock.advance(days=8)  # the development preset's TTL is 7 days


def _revoke(session_id: str, clock: ManualClock) -> None:
    assert get_auth().logout(session_id).ok


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (_expire, "session_expired"),
        (_revoke, "session_revoked"),
        (lambda session_id, clock: None, "invalid_session"),
        (lambda session_id, clock: None, "invalid_input"),
    ],
)
def test_each_refused_session_is_a_401_with_rix_auths_code_and_www_authenticate(
    bearer_login: Login, clock: ManualClock, stack: str, spoil: Callable[[str, ManualClock], None], code: str
) -> None:
    session_id = bearer_login()
    spoil(session_id, clock)
    sent = {"invalid_session": "session_" + "A" * 43, "invalid_input": "not-a-session-id"}.get(code, session_id)
    response = api(sent).get("/api/me/")
    assert response.status_code == 401
    assert response.json()["code"] == code and response.json()["detail"]
    assert response["WWW-Authenticate"] == INVALID


def test_a_disabled_user_is_a_403_user_disabled(bearer_login: Login, stack: str) -> None:
    session_id = bearer_login()
    get_user_model().objects.filter(email=EMAIL).update(is_active=False)  # no signal: the request must notice
    response = api(session_id).get("/api/me/")
    assert (response.status_code, response.json()["code"]) == (403, "user_disabled")
    assert "WWW-Authenticate" not in response


def test_a_store_outage_is_a_503_store_error(bearer_login: Login, stack: str) -> None:
    session_id = bearer_login()

    def refuse(execute, sql, params, many, context):
        raise OperationalError("the database went away")

    with connection.execute_wrapper(refuse):
        response = api(session_id).get("/api/me/")
    assert (response.status_code, response.json()["code"]) == (503, "store_error")
    if stack == "middleware":  # Auth logged the outage; the middleware keeps django.request from mailing each 503
        assert response._has_been_logged  # type: ignore[attr-defined]


def test_a_request_without_an_id_falls_through_to_anonymous(db: None, stack: str) -> None:
    client = api()
    assert client.get("/api/open/").json() == {"authenticated": False, "auth": None}
    response = client.get("/api/me/")
    assert response.status_code == 401  # not 403: authenticate_header names the scheme
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_cookie_session_reads_without_csrf_and_writes_only_with_it(
    bearer_login: Login, registered: dict[str, object], stack: str
) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.cookies["rix_session"] = bearer_login()
    assert client.get("/api/me/").json()["user_id"] == registered["id"]
    refused = client.post("/api/me/", {}, format="json")
    assert refused.status_code == 403
    body = refused.json()  # rix_auth's middleware refuses first when it runs; this class does without it
    assert (body["error"]["code"] if stack == "middleware" else body["code"]) == "csrf_failed"
    token = client.get("/auth/csrf/").json()["csrf_token"]
    accepted = client.post("/api/me/", {}, format="json", HTTP_X_CSRFTOKEN=token)
    assert (accepted.status_code, accepted.json()["user_id"]) == (200, registered["id"])


def test_a_bearer_write_needs_no_csrf_token(bearer_login: Login, stack: str) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_login()}")
    assert client.post("/api/me/", {}, format="json").status_code == 200


def test_django_model_permissions_follow_the_users_groups(bearer_login: Login, stack: str) -> None:
    client = api(bearer_login())
    assert client.get("/api/groups/").status_code == 200  # reading needs no model permission
    assert client.post("/api/groups/", {}, format="json").status_code == 403
    editors = Group.objects.create(name="editors")
    editors.permissions.add(Permission.objects.get(codename="add_group"))
    get_user_model().objects.get(email=EMAIL).groups.add(editors)
    assert client.post("/api/groups/", {}, format="json").status_code == 201


def test_user_rate_throttle_counts_per_user(client, bearer_login: Login, stack: str) -> None:
    first = api(bearer_login())
    assert [first.get("/api/throttled/").status_code for _ in range(3)] == [200, 200, 429]
    other = {"email": "ada@example.com", "password": PASSWORD}
    assert client.post("/auth/register/", other, content_type="application/json").status_code == 201
    login = client.post("/auth/login/", other, content_type="application/json").json()
    assert api(login["session_id"]).get("/api/throttled/").status_code == 200


def test_with_the_middleware_the_request_costs_one_query_in_all(
    bearer_login: Login, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = api(bearer_login())
    with django_assert_num_queries(1):
        assert client.get("/api/me/").status_code == 200


def test_with_the_middleware_a_refused_session_is_read_once(
    bearer_login: Login, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = api("session_" + "A" * 43)
    with django_assert_num_queries(1):
        assert client.get("/api/me/").status_code == 401


@override_settings(MIDDLEWARE=WITHOUT_RIX)
def test_without_the_middleware_the_request_costs_one_query(
    bearer_login: Login, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    client = api(bearer_login())
    with django_assert_num_queries(1):
        assert client.get("/api/me/").status_code == 200


@override_settings(MIDDLEWARE=WITHOUT_RIX)
def test_without_the_middleware_a_due_refresh_still_extends_the_session(
    bearer_login: Login, clock: ManualClock
) -> None:
    session_id = bearer_login()
    clock.advance(days=1)
    with CaptureQueriesContext(connection) as captured:
        assert api(session_id).get("/api/me/").status_code == 200
    assert sum(query["sql"].startswith("UPDATE") for query in captured.captured_queries) == 1
    assert get_auth().authenticate_session(session_id).value.last_seen_at == clock()


def test_the_openapi_schema_declares_the_bearer_and_cookie_schemes(db: None) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="tests.drf_urls").get_schema(request=None, public=True)
    assert schema["components"]["securitySchemes"] == {
        "rixSession": {"type": "http", "scheme": "bearer", "description": _description(schema, "rixSession")},
        "rixSessionCookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": "rix_session",
            "description": _description(schema, "rixSessionCookie"),
        },
    }
    assert schema["paths"]["/api/me/"]["get"]["security"] == [{"rixSession": []}, {"rixSessionCookie": []}]
    assert {} in schema["paths"]["/api/open/"]["get"]["security"]  # AllowAny: anonymous too


def _description(schema: dict[str, object], name: str) -> object:
    return schema["components"]["securitySchemes"][name]["description"]  # type: ignore[index]


def test_the_module_imports_without_drf_spectacular() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["drf_spectacular"] = None  # as if it were not installed
        import django
        django.setup()
        from rix_auth.contrib.drf import RixSessionAuthentication
        assert "rix_auth.contrib.drf_spectacular" not in sys.modules
        print("ok")
        """
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "tests.settings"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr
