"""Saves of the user model keep sessions in step, whatever fields the instance loaded."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

import rix_auth
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def session_id(db: None) -> str:
    auth = rix_auth.get_auth()
    auth.register_user(EMAIL, PASSWORD)
    return auth.login(EMAIL, PASSWORD).value.session.id


@pytest.mark.parametrize("query", ["only-pk", "defer-password", "defer-is-active"])
def test_reading_users_with_deferred_fields_loads_nothing_more(
    session_id: str, query: str, django_assert_num_queries
) -> None:
    users = get_user_model().objects
    deferred = {"only-pk": users.only("pk"), "defer-password": users.defer("password"),
                "defer-is-active": users.defer("is_active")}[query]  # fmt: skip
    with django_assert_num_queries(1):
        assert len(list(deferred)) == 1


def test_a_new_password_saved_on_an_instance_that_deferred_it_revokes_every_session(session_id: str) -> None:
    user = get_user_model().objects.only("pk").get()
    user.set_password("a-brand-new-password")
    user.save()
    assert rix_auth.get_auth().authenticate_session(session_id).error.code == "session_revoked"  # type: ignore[union-attr]
    assert SessionRow.objects.get().revoke_reason == "password_change"


def test_a_deactivation_saved_on_an_instance_that_deferred_is_active_revokes_every_session(session_id: str) -> None:
    user = get_user_model().objects.defer("is_active").get()
    user.is_active = False
    user.save()
    assert SessionRow.objects.get().revoke_reason == "deactivation"


def test_saving_an_instance_that_deferred_both_fields_revokes_nothing(session_id: str) -> None:
    user = get_user_model().objects.only("pk", "first_name").get()
    user.first_name = "Grace"
    user.save()
    assert rix_auth.get_auth().authenticate_session(session_id).ok
