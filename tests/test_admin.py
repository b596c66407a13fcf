"""The sessions admin: listed with state, filterable, revocable, never the digest, no add form."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

import rix_auth
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD

pytestmark = pytest.mark.django_db
URL = "/admin/rix_auth/session/"


@pytest.fixture
def staff(db: None) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "root-password-1"))
    return client


@pytest.fixture
def session_ids(db: None) -> list[str]:
    auth = rix_auth.database()
    auth.register_user(EMAIL, PASSWORD)
    ids = [auth.login(EMAIL, PASSWORD, ip="203.0.113.9", user_agent="Phone/1.0").value.session.id for _ in range(3)]
    auth.logout(ids[0])
    return ids


def test_the_list_shows_state_and_device_but_never_a_digest_or_id(staff: Client, session_ids: list[str]) -> None:
    page = staff.get(URL).content.decode()
    assert page.count("revoked (logout)") == 1 and page.count("active") >= 2
    assert "203.0.113.9" in page and "Phone/1.0" in page
    assert not any(row.digest in page for row in SessionRow.objects.all())
    assert not any(session_id in page for session_id in session_ids)


@pytest.mark.parametrize(("state", "count"), [("active", 2), ("revoked", 1), ("expired", 0)])
def test_the_state_filter(staff: Client, session_ids: list[str], state: str, count: int) -> None:
    response = staff.get(URL, {"state": state})
    assert response.context["cl"].result_count == count


def test_the_change_page_hides_the_digest(staff: Client, session_ids: list[str]) -> None:
    row = SessionRow.objects.first()
    assert row is not None
    page = staff.get(f"{URL}{row.pk}/change/").content.decode()
    assert row.public_id in page and row.digest not in page


def test_there_is_no_add_form_and_no_delete(staff: Client, session_ids: list[str]) -> None:
    row = SessionRow.objects.first()
    assert row is not None
    assert staff.get(f"{URL}add/").status_code == 403
    assert staff.post(f"{URL}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SessionRow.objects.filter(pk=row.pk).exists()


def test_the_revoke_action_revokes_through_the_service(staff: Client, session_ids: list[str]) -> None:
    pks = list(SessionRow.objects.values_list("pk", flat=True))
    response = staff.post(URL, {"action": "revoke", "_selected_action": pks}, follow=True)
    assert "Revoked 2 session(s)." in response.content.decode()
    assert sorted(SessionRow.objects.values_list("revoke_reason", flat=True)) == ["admin", "admin", "logout"]
    assert rix_auth.database().authenticate_session(session_ids[1]).failed
