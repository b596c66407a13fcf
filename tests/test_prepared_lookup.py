"""The request path's SELECT as a prepared statement on PostgreSQL: prepared once per connection,
counted and logged like any query, never where a transaction-mode pooler may be, and run again
on a fresh connection when the server no longer has it or a migration made it stale."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

import rix_auth
from rix_auth import AuthErrorCode as Code
from rix_auth import tokens
from rix_auth.clock import ManualClock
from rix_auth.service import Auth
from rix_auth.stores import joined, prepared

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
EMAIL, PASSWORD = "ada@example.com", "correct-password"


@pytest.fixture
def auth(monkeypatch: pytest.MonkeyPatch) -> Iterator[Auth]:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)  # connections outlive a request
    joined.query.cache_clear()  # the settings each test changes decide whether it prepares
    yield rix_auth.database("default", rix_auth.config.development(), clock=ManualClock())
    joined.query.cache_clear()


@pytest.fixture
def session_id(auth: Auth) -> str:
    auth.register_user(EMAIL, PASSWORD)
    return auth.login(EMAIL, PASSWORD).value.session.id


def prepared_lookups() -> list[tuple[str, int]]:
    """This connection's prepared statements that read sessions: their text and generic plan uses."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ["%FROM \"rix_auth_session\" s INNER JOIN%"],
        )
        return list(cursor.fetchall())


def test_the_lookup_is_prepared_once_and_reused(auth: Auth, session_id: str) -> None:
    for _ in range(7):
        assert auth.authenticate_session(session_id).ok
    [(statement, runs)] = prepared_lookups()
    assert runs == 7
    assert "$1" in statement


def test_a_prepared_lookup_is_one_logged_query_without_the_digest(
    auth: Auth, session_id: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    auth.authenticate_session(session_id)
    with django_assert_num_queries(1) as captured:
        assert auth.authenticate_session(session_id).ok
    logged = captured.captured_queries[0]["sql"]
    assert logged.startswith("SELECT") and "$1" in logged
    assert tokens.digest(session_id) not in logged and session_id not in logged


def test_refusals_read_the_same_prepared_statement(auth: Auth, session_id: str) -> None:
    unknown = auth.authenticate_session(tokens.new_session_id())
    assert unknown.error is not None and unknown.error.code is Code.INVALID_SESSION
    assert auth.logout(session_id).ok
    revoked = auth.authenticate_session(session_id)
    assert revoked.error is not None and revoked.error.code is Code.SESSION_REVOKED
    [(_, runs)] = prepared_lookups()
    assert runs == 2


@pytest.mark.parametrize(
    ("setting", "value"),
    [("DISABLE_SERVER_SIDE_CURSORS", True), ("OPTIONS", {"prepare_threshold": None})],
)
def test_nothing_is_prepared_where_a_pooler_may_be(
    auth: Auth, session_id: str, monkeypatch: pytest.MonkeyPatch, setting: str, value: Any
) -> None:
    monkeypatch.setitem(connection.settings_dict, setting, value)
    joined.query.cache_clear()
    assert not prepared.allowed(connection)
    assert auth.authenticate_session(session_id).ok
    assert prepared_lookups() == []


def test_prepares_when_the_options_allow_or_say_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"prepare_threshold": 5})
    assert prepared.allowed(connection)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {})
    assert prepared.allowed(connection)


def test_a_connection_for_one_request_prepares_only_from_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Preparing costs a round trip that only a connection reused by later requests pays back."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {})
    assert not prepared.allowed(connection)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"pool": True})
    assert prepared.allowed(connection)


def test_a_lookup_on_a_connection_for_one_request_prepares_nothing(
    auth: Auth, session_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    joined.query.cache_clear()
    assert auth.authenticate_session(session_id).ok
    assert prepared_lookups() == []


def forget_behind_psycopgs_back() -> None:
    """What a pooler's reset (``DISCARD ALL``) does: the server drops the statements, the driver
    still believes them prepared."""
    assert connection.connection is not None
    connection.connection.pgconn.exec_(b"DEALLOCATE ALL")


def migrate_elsewhere(sql: str) -> None:
    """A migration run from another process while this one serves."""
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                         dbname=settings["NAME"], autocommit=True) as other:  # fmt: skip
        other.execute(sql)


@pytest.mark.django_db(transaction=True)  # outside a transaction, as the middleware runs
def test_a_statement_the_server_forgot_is_prepared_again_on_a_new_connection(auth: Auth, session_id: str) -> None:
    assert auth.authenticate_session(session_id).ok
    first = connection.connection
    forget_behind_psycopgs_back()
    assert auth.authenticate_session(session_id).ok
    assert connection.connection is not first
    assert len(prepared_lookups()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_statement_a_migration_made_stale_is_prepared_again_on_a_new_connection(
    auth: Auth, session_id: str
) -> None:
    assert auth.authenticate_session(session_id).ok
    first = connection.connection
    migrate_elsewhere("ALTER TABLE rix_auth_session ALTER COLUMN user_agent TYPE varchar(513)")
    try:
        assert auth.authenticate_session(session_id).ok
        assert connection.connection is not first
        assert auth.logout(session_id).ok
        refused = auth.authenticate_session(session_id)
        assert refused.error is not None and refused.error.code is Code.SESSION_REVOKED
    finally:
        migrate_elsewhere("ALTER TABLE rix_auth_session ALTER COLUMN user_agent TYPE varchar(256)")


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_a_stale_statement_fails_closed_without_leaking_the_id(
    auth: Auth, session_id: str
) -> None:
    assert auth.authenticate_session(session_id).ok
    forget_behind_psycopgs_back()
    with transaction.atomic():
        stale = auth.authenticate_session(session_id)
        assert stale.error is not None and stale.error.code is Code.STORE_ERROR
        assert session_id not in str(stale.error) and tokens.digest(session_id) not in str(stale.error)
    assert auth.authenticate_session(session_id).ok  # the next request runs on a fresh connection


def test_a_query_log_captures_the_statement_as_django_cursors_do(auth: Auth, session_id: str) -> None:
    with CaptureQueriesContext(connection) as captured:
        auth.authenticate_session(session_id)
    assert captured.captured_queries[0]["sql"] == joined.query("default").sql.replace("%s", "$1")


@pytest.mark.django_db(transaction=True)
def test_a_lookup_stuck_behind_a_migrations_lock_ends_with_store_error_under_statement_timeout(
    auth: Auth, session_id: str
) -> None:
    """The README's advice for a database that answers but is stuck: ``statement_timeout``."""
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                         dbname=settings["NAME"]) as migration:  # fmt: skip
        migration.execute("LOCK TABLE rix_auth_session IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 200")
        try:
            stuck = auth.authenticate_session(session_id)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
        assert stuck.error is not None and stuck.error.code is Code.STORE_ERROR
        assert session_id not in str(stuck.error)
    assert auth.authenticate_session(session_id).ok
