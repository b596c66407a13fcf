from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client

from rix_auth.clock import ManualClock

EMAIL, PASSWORD = "grace@example.com", "correct-password"


SERVERS = {"postgres": {"postgresql"}, "concurrency": {"postgresql", "mysql"}}  # marker: vendors it runs on


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` need PostgreSQL; tests marked ``concurrency``, a server with real
    row locks and concurrent connections. ``make test`` runs a leg on each server it reaches."""
    for marker, vendors in SERVERS.items():
        if connection.vendor in vendors:
            continue
        skip = pytest.mark.skip(reason=f"needs {' or '.join(sorted(vendors))}")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The login throttle counts in the (per-process, LocMemCache) default cache: each test starts at zero."""
    caches["default"].clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """Requests read this clock: tests move time instead of sleeping."""
    manual = ManualClock()
    monkeypatch.setattr("rix_auth.clock.system_clock", manual)
    return manual


@pytest.fixture
def registered(client: Client, db: None) -> dict[str, object]:
    response = client.post("/auth/register/", {"email": EMAIL, "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["user"]


@pytest.fixture
def bearer_login(client: Client, registered: dict[str, object], clock: ManualClock) -> Callable[..., str]:
    """Log in over HTTP and return the session id (bearer transport)."""

    def login(**headers: str) -> str:
        body = {"email": EMAIL, "password": PASSWORD}
        response = client.post("/auth/login/", body, content_type="application/json", headers=headers)
        assert response.status_code == 200, response.content
        return response.json()["session_id"]

    return login


def bearer(session_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {session_id}"}
