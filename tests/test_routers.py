"""Database routers decide where sessions live: every read and write, the request path's and the
commands' included, goes where they say, and nothing touches the other database."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from django.db.models import Model
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

import rix_auth
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD, bearer

pytestmark = pytest.mark.django_db(databases=["default", "sessions"])
ROUTED = frozenset({"auth", "contenttypes", "rix_auth"})  # sessions join their users: one database


class SessionsElsewhere:
    """Users and their sessions live in ``sessions``."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return "sessions" if model._meta.app_label in ROUTED else None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return "sessions" if model._meta.app_label in ROUTED else None


class DefaultAsReplica(SessionsElsewhere):
    """Writes go to ``sessions``; reads to ``default``, a replica that has not caught up at all."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return "default" if model._meta.app_label in ROUTED else None


@contextmanager
def queries() -> Iterator[dict[str, list[str]]]:
    """The SQL each database ran inside the block."""
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in ("default", "sessions")
        }
        ran: dict[str, list[str]] = {}
        yield ran
    ran.update({alias: [query["sql"] for query in capture.captured_queries] for alias, capture in captured.items()})


@pytest.fixture
def routed(settings: Any) -> None:
    settings.DATABASE_ROUTERS = [f"{__name__}.SessionsElsewhere"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_http_register_login_requests_and_logout_use_only_the_routed_database(routed: None, client: Client) -> None:
    with queries() as ran:
        body = {"email": EMAIL, "password": PASSWORD}
        assert client.post("/auth/register/", body, content_type="application/json").status_code == 201
        session_id = client.post("/auth/login/", body, content_type="application/json").json()["session_id"]
        assert client.get("/auth/session/", headers=bearer(session_id)).status_code == 200
        assert client.post("/auth/logout-all/", headers=bearer(session_id)).status_code == 200
        assert client.get("/auth/session/", headers=bearer(session_id)).status_code == 401
    assert ran["default"] == [] and len(ran["sessions"]) > 5
    assert SessionRow.objects.using("sessions").get().revoke_reason == "logout_user"
    assert not SessionRow.objects.using("default").exists()


def test_the_stores_and_the_service_follow_the_routers(routed: None) -> None:
    auth = rix_auth.database()
    with queries() as ran:
        user_id = auth.register_user(EMAIL, PASSWORD).value.id
        session_id = auth.login(EMAIL, PASSWORD).value.session.id
        assert auth.authenticate_session(session_id).ok
        assert len(auth.sessions_of(user_id).value) == 1
        assert auth.logout_user(user_id).value == 1
    assert ran["default"] == [] and ran["sessions"]
    assert get_user_model().objects.using("sessions").filter(pk=user_id).exists()


def test_every_command_follows_the_routers(routed: None) -> None:
    auth = rix_auth.database()
    auth.register_user(EMAIL, PASSWORD)
    for _ in range(3):
        auth.login(EMAIL, PASSWORD)
    handle = SessionRow.objects.using("sessions").order_by("pk").values_list("public_id", flat=True)[0]
    with queries() as ran:
        assert EMAIL in run("list_sessions", "--user", EMAIL)
        assert run("revoke_session", handle).startswith(f"Revoked session {handle}")
        assert run("revoke_user_sessions", EMAIL).startswith("Revoked 2 session(s)")
        assert run("purge_sessions", "--older-than", "0").startswith("Deleted 3 session(s)")
    assert ran["default"] == [] and ran["sessions"]
    assert not SessionRow.objects.using("sessions").exists()


def test_database_sends_every_command_to_the_alias_named() -> None:
    """Without the router, sessions default to ``default``: ``--database sessions`` moves each command."""
    with override_settings(DATABASE_ROUTERS=[f"{__name__}.SessionsElsewhere"]):
        auth = rix_auth.database()
        user_id = auth.register_user(EMAIL, PASSWORD).value.id
        auth.login(EMAIL, PASSWORD)
    SessionRow.objects.using("sessions").update(expires_at=SessionRow.objects.using("sessions").get().created_at)
    with override_settings(DATABASE_ROUTERS=[f"{__name__}.SessionsElsewhere"]):
        rix_auth.database().login(EMAIL, PASSWORD)
    handle = SessionRow.objects.using("sessions").order_by("-pk").values_list("public_id", flat=True)[0]
    on = ("--database", "sessions")
    with queries() as ran:
        assert len(run("list_sessions", *on, "--user", str(user_id)).splitlines()) == 3
        assert run("revoke_session", handle, *on).startswith(f"Revoked session {handle}")
        assert (
            run("revoke_user_sessions", EMAIL, *on) == f"Revoked 1 session(s) of user {user_id}.\n"
        )  # the expired one
        assert run("purge_sessions", *on, "--older-than", "0").startswith("Deleted 2 session(s)")
    assert ran["default"] == [] and ran["sessions"]


@pytest.mark.parametrize(("from_replica", "status", "read_by"), [(False, 200, "sessions"), (True, 401, "default")])
def test_the_request_path_reads_a_replica_only_when_told_to(
    settings: Any, client: Client, from_replica: bool, status: int, read_by: str
) -> None:
    """A replica that lags (here: has nothing yet) answers for the session when, and only when,
    READ_FROM_REPLICA is on: so by default a revocation counts at once."""
    with override_settings(DATABASE_ROUTERS=[f"{__name__}.SessionsElsewhere"]):
        auth = rix_auth.database()
        auth.register_user(EMAIL, PASSWORD)
        session_id = auth.login(EMAIL, PASSWORD).value.session.id
    settings.DATABASE_ROUTERS = [f"{__name__}.DefaultAsReplica"]
    settings.RIX_AUTH = {"PRESET": "development", "READ_FROM_REPLICA": from_replica, "REFRESH_INTERVAL_SECONDS": None}
    with queries() as ran:
        assert client.get("/auth/session/", headers=bearer(session_id)).status_code == status
    assert len(ran[read_by]) == 1 and ran["default" if read_by == "sessions" else "sessions"] == []


def test_purge_in_the_routed_database_deletes_in_bounded_ranges(routed: None) -> None:
    auth = rix_auth.database()
    auth.register_user(EMAIL, PASSWORD)
    for _ in range(5):
        auth.login(EMAIL, PASSWORD)
    store = rix_auth.stores.database_sessions()
    before = SessionRow.objects.using("sessions").latest("pk").expires_at + timedelta(days=1)
    with queries() as ran:
        assert list(store.purge(before, batch_size=2)) == [2, 2, 1]
    assert ran["default"] == [] and len(ran["sessions"]) == 1 + 3 * 2  # the first dead row, then per batch
