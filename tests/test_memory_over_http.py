"""``RIX_AUTH["SESSION_STORE"]`` / ``["USER_STORE"]`` choose the stores behind every view:
the whole HTTP flow runs on memory stores without a query."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from pytest_django import DjangoAssertNumQueries

import rix_auth
from rix_auth.clock import ManualClock
from rix_auth.models import Session as SessionRow
from rix_auth.models import SessionEpoch
from rix_auth.stores.database import DatabaseSessionStore
from rix_auth.stores.django_users import DjangoUserStore
from rix_auth.stores.memory import MemorySessionStore, MemoryUserStore
from tests.conftest import EMAIL, PASSWORD, bearer

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db
MEMORY = {
    "PRESET": "development",
    "SESSION_STORE": "rix_auth.stores.memory_sessions",
    "USER_STORE": "tests.factories.memory_users",
}


@pytest.fixture
def on_memory(settings: Any) -> None:
    settings.RIX_AUTH = MEMORY


def log_in(client: Client, user_agent: str = "", *, cookie: bool = False) -> Response:
    body = {"email": EMAIL, "password": PASSWORD, "cookie": cookie}
    response = client.post("/auth/login/", body, content_type="application/json", headers={"User-Agent": user_agent})
    assert response.status_code == 200, response.content
    return response


def code(response: Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_get_auth_is_built_once_from_the_configured_factories(on_memory: None) -> None:
    auth = rix_auth.get_auth()
    assert isinstance(auth.sessions, MemorySessionStore) and isinstance(auth.users, MemoryUserStore)
    assert rix_auth.get_auth() is auth


def test_changing_the_setting_rebuilds_get_auth(settings: Any) -> None:
    default = rix_auth.get_auth()
    assert isinstance(default.sessions, DatabaseSessionStore) and isinstance(default.users, DjangoUserStore)
    settings.RIX_AUTH = MEMORY
    memory = rix_auth.get_auth()
    assert isinstance(memory.sessions, MemorySessionStore)
    settings.RIX_AUTH = {"PRESET": "development"}
    assert isinstance(rix_auth.get_auth().sessions, DatabaseSessionStore)


def test_the_whole_http_flow_runs_on_memory_stores_without_a_query(
    on_memory: None, client: Client, clock: ManualClock, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        registered = client.post(
            "/auth/register/", {"email": EMAIL, "password": PASSWORD}, content_type="application/json"
        )
        assert registered.status_code == 201
        user_id = registered.json()["user"]["id"]
        assert user_id.startswith("user_")  # a memory user, not a row

        phone = log_in(client, "Phone").json()["session_id"]
        clock.advance(1)
        laptop = log_in(client, "Laptop").json()["session_id"]
        assert client.get("/auth/session/", headers=bearer(laptop)).json()["user_id"] == user_id

        clock.advance(60)
        refreshed = client.post("/auth/refresh/", headers=bearer(laptop))
        assert refreshed.json()["session"]["last_seen_at"] == clock().isoformat()

        listed = client.get("/auth/sessions/", headers=bearer(phone)).json()["sessions"]
        assert [(s["user_agent"], s["current"]) for s in listed] == [("Phone", True), ("Laptop", False)]
        revoked = client.post(f"/auth/sessions/{listed[1]['public_id']}/revoke/", headers=bearer(phone))
        assert revoked.json() == {"revoked": listed[1]["public_id"]}
        assert code(client.get("/auth/session/", headers=bearer(laptop))) == (401, "session_revoked")

        assert client.post("/auth/logout/", headers=bearer(phone)).json() == {"logged_out": True}
        assert code(client.get("/auth/session/", headers=bearer(phone))) == (401, "session_revoked")

        tablet, desktop = log_in(client).json()["session_id"], log_in(client).json()["session_id"]
        assert client.post("/auth/logout-all/", headers=bearer(tablet)).json() == {"revoked": 2}
        assert code(client.get("/auth/session/", headers=bearer(desktop))) == (401, "session_revoked")
    assert not SessionRow.objects.exists() and not SessionEpoch.objects.exists()
    assert not get_user_model().objects.exists()


def test_cookie_sessions_work_on_memory_stores_too(
    on_memory: None, client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(0):
        client.post("/auth/register/", {"email": EMAIL, "password": PASSWORD}, content_type="application/json")
        log_in(client, cookie=True)
        assert client.get("/auth/session/").status_code == 200
        logout = client.post("/auth/logout/")
        assert logout.cookies["rix_session"]["max-age"] == 0
        assert code(client.get("/auth/session/")) == (401, "invalid_session")
