"""Database-store specifics: queries, Django's password framework, the schema."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.db import OperationalError, connection
from django.forms.models import model_to_dict
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

import rix_auth
from rix_auth import AuthErrorCode as Code
from rix_auth.clock import ManualClock
from rix_auth.models import Session as SessionRow
from rix_auth.service import Auth

pytestmark = pytest.mark.django_db
EMAIL, PASSWORD = "grace@example.com", "correct-password"


@pytest.fixture
def auth() -> Auth:
    return rix_auth.database("default", rix_auth.config.development(), clock=ManualClock())


@pytest.fixture
def session_id(auth: Auth) -> str:
    auth.register_user(EMAIL, PASSWORD)
    return auth.login(EMAIL, PASSWORD).value.session.id


def test_user_ids_are_the_user_models_primary_key(auth: Auth) -> None:
    user = auth.register_user(EMAIL, PASSWORD).value
    stored = get_user_model().objects.get(pk=user.id)
    assert (stored.email, stored.username, stored.is_active) == (EMAIL, EMAIL, True)


def test_authenticate_costs_exactly_one_query_and_no_write(
    auth: Auth, session_id: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1) as captured:
        assert auth.authenticate_session(session_id).ok
    assert captured.captured_queries[0]["sql"].lstrip().upper().startswith("SELECT")


def test_a_malformed_id_costs_no_query(auth: Auth, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    with django_assert_num_queries(0):
        assert auth.authenticate_session("session_nope").failed


def test_logout_user_revokes_with_one_update_of_the_sessions_table(auth: Auth, session_id: str) -> None:
    user_id = auth.authenticate_session(session_id).value.user_id
    for _ in range(4):
        auth.login(EMAIL, PASSWORD)
    table = SessionRow._meta.db_table
    with CaptureQueriesContext(connection) as captured:
        assert auth.logout_user(user_id).value == 5
    update = f"UPDATE {connection.ops.quote_name(table)} "
    assert [q["sql"].startswith(update) for q in captured.captured_queries].count(True) == 1


def test_logout_user_of_ten_thousand_live_sessions_costs_the_queries_of_one(
    auth: Auth, session_id: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    user_id = auth.authenticate_session(session_id).value.user_id
    auth.logout_user(user_id)  # the user's epoch row now exists: the next run only updates it
    first = SessionRow.objects.get()
    SessionRow.objects.bulk_create(
        SessionRow(**{**model_to_dict(first, exclude=["id", "user"]), "user_id": user_id, "revoked_at": None,
                      "digest": f"{n:064x}", "public_id": f"{n:016x}"})
        for n in range(10_000)
    )  # fmt: skip
    locks = 1 if connection.features.has_select_for_update else 0
    # the user, the savepoint around the lock, the epoch, then the sessions: with 1 or 10,000 of them
    with django_assert_num_queries(1 + 2 + locks + 1 + 1) as captured:
        assert auth.logout_user(user_id).value == 10_000
    table = connection.ops.quote_name(SessionRow._meta.db_table)
    touching = [query["sql"] for query in captured.captured_queries if table in query["sql"]]
    assert len(touching) == 1 and touching[0].startswith("UPDATE")


def test_djangos_password_validators_apply_with_their_messages(auth: Auth) -> None:
    result = auth.register_user(EMAIL, "short")
    assert result.error is not None and result.error.code is Code.INVALID_INPUT
    assert "too short" in result.error.message
    assert not get_user_model().objects.exists()


def test_passwords_are_argon2id_and_djangos_check_password_accepts_them(auth: Auth) -> None:
    user_id = auth.register_user(EMAIL, PASSWORD).value.id
    stored = get_user_model().objects.get(pk=user_id)
    assert stored.password.startswith("argon2$argon2id$")
    assert stored.check_password(PASSWORD) and not stored.check_password("wrong-password")


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_the_next_login(auth: Auth) -> None:
    with override_settings(PASSWORD_HASHERS=["tests.hashers.WeakArgon2PasswordHasher"]):
        user_id = auth.register_user(EMAIL, PASSWORD).value.id
    weak = get_user_model().objects.get(pk=user_id).password
    assert "m=1024" in weak
    assert auth.login(EMAIL, "wrong-password").failed
    assert get_user_model().objects.get(pk=user_id).password == weak  # a failed login changes nothing
    assert auth.login(EMAIL, PASSWORD).ok
    upgraded = get_user_model().objects.get(pk=user_id).password
    assert "m=8192" in upgraded and identify_hasher(upgraded).algorithm == "argon2"
    assert auth.login(EMAIL, PASSWORD).ok


def test_an_email_longer_than_the_username_column_is_invalid_input(auth: Auth) -> None:
    long_email = "g" * 140 + "@example.com"
    result = auth.register_user(long_email, PASSWORD)
    assert result.error is not None and result.error.code is Code.INVALID_INPUT
    assert "at most 150 characters" in result.error.message


def test_deleting_a_user_deletes_their_sessions(auth: Auth, session_id: str) -> None:
    get_user_model().objects.all().delete()
    assert not SessionRow.objects.exists()
    assert auth.authenticate_session(session_id).error.code is Code.INVALID_SESSION  # type: ignore[union-attr]


def test_the_stored_row_holds_a_digest_not_the_id(auth: Auth, session_id: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {SessionRow._meta.db_table}")  # noqa: S608
        rows = cursor.fetchall()
    dumped = " ".join(str(value) for row in rows for value in row)
    assert session_id not in dumped and session_id[8:] not in dumped
    assert len(SessionRow.objects.get().digest) == 64


def test_the_digest_is_never_shown_by_the_models_str() -> None:
    row = SessionRow(digest="d" * 64, public_id="0123456789abcdef")
    assert "d" * 10 not in str(row) and "0123456789abcdef" in str(row)


def test_a_database_error_is_reported_without_sql_or_parameters(auth: Auth, session_id: str) -> None:
    def refuse(execute, sql, params, many, context):
        raise OperationalError(f"boom in {sql} with {params}")

    with connection.execute_wrapper(refuse):
        result = auth.authenticate_session(session_id)
    assert result.error is not None and result.error.code is Code.STORE_ERROR
    assert "boom" not in result.error.message and session_id not in result.error.message
