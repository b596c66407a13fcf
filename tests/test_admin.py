"""The sessions admin: read-only pages, search, device names, a confirmed revoke; the user admin's live sessions."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.admin import AdminSite
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from django.utils.html import strip_tags
from pytest_django import DjangoAssertNumQueries

import rix_auth
from rix_auth.admin_users import SessionsUserAdmin, extend_user_admin
from rix_auth.models import Session as SessionRow
from rix_auth.signals import session_revoked
from tests.conftest import EMAIL, PASSWORD
from tests.test_devices import CHROME_LINUX, SAFARI_IPHONE

pytestmark = pytest.mark.django_db
URL = "/admin/rix_auth/session/"
USERS = "/admin/auth/user/"
SAVE_BUTTONS = ('name="_save"', 'name="_continue"', 'name="_addanother"', 'name="_saveasnew"', "/delete/")


@pytest.fixture
def session_ids(db: None) -> list[str]:
    """Grace (username ``grace``): a revoked Chrome session, then two live ones on her iPhone."""
    ids = [_login(EMAIL, ip="203.0.113.9", user_agent=agent) for agent in (CHROME_LINUX, SAFARI_IPHONE, SAFARI_IPHONE)]
    get_user_model().objects.filter(email=EMAIL).update(username="grace")
    rix_auth.database().logout(ids[0])
    return ids


def _login(email: str, **device: str) -> str:
    """A session of the user with this email (registered on first use: the username is the email)."""
    auth = rix_auth.database()
    auth.register_user(email, PASSWORD)
    return auth.login(email, PASSWORD, **device).value.session.id


@pytest.fixture
def viewer(db: None) -> Client:
    """Staff who may view sessions and users, but not revoke."""
    user = get_user_model().objects.create_user("viewer", "viewer@example.com", "viewer-password-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_session", "view_user"]))
    client = Client()
    client.force_login(user)
    return client


def row(revoked: bool = False) -> SessionRow:
    return SessionRow.objects.filter(revoked_at__isnull=not revoked).earliest("created_at")


def page(response: Any) -> str:
    assert response.status_code == 200
    return str(response.content.decode())


def crumbs(text: str) -> list[str]:
    """The breadcrumb trail as words, whichever markup the Django version uses."""
    match = re.search(r'class="breadcrumbs">(.*?)</(?:div|ol)>', text, re.DOTALL)
    assert match is not None
    return [part.strip() for part in re.split(r"[\u203a\n]", html.unescape(strip_tags(match[1]))) if part.strip()]


def secrets_absent(text: str, session_ids: list[str]) -> bool:
    digests = SessionRow.objects.values_list("digest", flat=True)
    return not any(secret in text for secret in [*digests, *session_ids])


def test_the_list_names_devices_and_states_but_never_an_id_or_digest(
    admin_client: Client, session_ids: list[str]
) -> None:
    text = page(admin_client.get(URL))
    assert text.count("Revoked: Logout") == 1 and text.count("Safari 18 on iPhone</span>") == 2
    assert "Chrome 156 on Linux</span>" in text and "203.0.113.9" in text
    assert f'title="{CHROME_LINUX}"' in text  # the raw agent only on hover
    assert secrets_absent(text, session_ids)


@pytest.mark.parametrize(("state", "count"), [("active", 2), ("revoked", 1), ("expired", 0)])
def test_the_state_filter(admin_client: Client, session_ids: list[str], state: str, count: int) -> None:
    assert admin_client.get(URL, {"state": state}).context["cl"].result_count == count


@pytest.mark.parametrize(("query", "count"), [("grace@example", 3), ("grace", 3), ("nobody", 0), ("203.0.113", 3)])
def test_search_by_the_users_email_username_or_ip(
    admin_client: Client, session_ids: list[str], query: str, count: int
) -> None:
    _login("eve@example.org", ip="198.51.100.1")
    assert admin_client.get(URL, {"q": query}).context["cl"].result_count == count


def test_search_by_a_username_that_is_not_the_email(admin_client: Client, session_ids: list[str]) -> None:
    _login("eve@example.org")
    get_user_model().objects.filter(email="eve@example.org").update(username="mallory")
    assert admin_client.get(URL, {"q": "mallory"}).context["cl"].result_count == 1


def test_search_by_handle(admin_client: Client, session_ids: list[str]) -> None:
    assert admin_client.get(URL, {"q": row().public_id}).context["cl"].result_count == 1


def test_the_breadcrumb_reads_app_then_model(admin_client: Client, session_ids: list[str]) -> None:
    assert crumbs(page(admin_client.get(URL))) == ["Home", "Sign-in", "Login sessions"]
    live = row()
    trail = crumbs(page(admin_client.get(f"{URL}{live.pk}/change/")))
    assert trail == ["Home", "Sign-in", "Login sessions", f"session {live.public_id}"]


def test_the_detail_page_is_read_only_with_the_full_agent_and_a_revoke_button(
    admin_client: Client, session_ids: list[str]
) -> None:
    live = row()
    text = page(admin_client.get(f"{URL}{live.pk}/change/"))
    form = text.split('id="session_form"')[1].split("</form>")[0]
    assert not any(button in text for button in SAVE_BUTTONS)
    assert not re.search(r'<(?:input(?! type="hidden")|textarea|select|button)', form)
    assert SAFARI_IPHONE in text and "Safari 18 on iPhone" in text
    assert "rix_auth/admin.css" in text  # wraps a user agent of one long token instead of widening the page
    assert f'href="{URL}{live.pk}/revoke/" class="deletelink">Revoke this session</a>' in text
    assert secrets_absent(text, session_ids)


def test_a_revoked_session_has_no_revoke_button(admin_client: Client, session_ids: list[str]) -> None:
    text = page(admin_client.get(f"{URL}{row(revoked=True).pk}/change/"))
    assert "/revoke/" not in text and not any(button in text for button in SAVE_BUTTONS)


def test_a_post_to_the_detail_page_changes_nothing(admin_client: Client, session_ids: list[str]) -> None:
    live = row()
    assert admin_client.post(f"{URL}{live.pk}/change/", {"ip": "192.0.2.1"}).status_code == 403
    assert SessionRow.objects.get(pk=live.pk).ip == "203.0.113.9"


def test_there_is_no_add_form_and_no_delete(admin_client: Client, session_ids: list[str]) -> None:
    live = row()
    assert admin_client.get(f"{URL}add/").status_code == 403
    assert admin_client.post(f"{URL}{live.pk}/delete/", {"post": "yes"}).status_code == 403
    assert "Add login session" not in page(admin_client.get(URL))
    assert SessionRow.objects.filter(pk=live.pk).exists()


def test_revoking_asks_for_a_confirmation_first(admin_client: Client, session_ids: list[str]) -> None:
    live = row()
    text = page(admin_client.get(f"{URL}{live.pk}/revoke/"))
    assert "Revoke this session?" in text and "Safari 18 on iPhone" in text and 'value="Yes, revoke it"' in text
    assert 'method="post"' in text and "csrfmiddlewaretoken" in text
    assert crumbs(text)[:3] == ["Home", "Sign-in", "Login sessions"]
    assert SessionRow.objects.get(pk=live.pk).revoked_at is None


def test_the_revoke_button_revokes_through_the_service(admin_client: Client, session_ids: list[str]) -> None:
    live = row()
    heard: list[dict[str, Any]] = []
    session_revoked.connect(lambda **kwargs: heard.append(kwargs), weak=False, dispatch_uid="admin-test")
    try:
        response = admin_client.post(f"{URL}{live.pk}/revoke/", follow=True)
    finally:
        session_revoked.disconnect(dispatch_uid="admin-test")
    assert response.redirect_chain == [(f"{URL}{live.pk}/change/", 302)]
    assert "Revoked 1 session." in page(response) and "/revoke/" not in page(response)
    assert SessionRow.objects.get(pk=live.pk).revoke_reason == "admin"
    assert rix_auth.database().authenticate_session(session_ids[1]).failed
    assert [(h["reason"], h["public_id"]) for h in heard] == [("admin", live.public_id)]
    assert LogEntry.objects.get().get_change_message() == "Revoked."


def test_revoking_twice_says_so(admin_client: Client, session_ids: list[str]) -> None:
    dead = row(revoked=True)
    response = admin_client.post(f"{URL}{dead.pk}/revoke/", follow=True)
    assert "This session was already revoked." in page(response)
    assert SessionRow.objects.get(pk=dead.pk).revoke_reason == "logout"


@pytest.mark.parametrize("method", ["put", "delete"])
def test_revoking_takes_only_get_and_post(admin_client: Client, session_ids: list[str], method: str) -> None:
    assert getattr(admin_client, method)(f"{URL}{row().pk}/revoke/").status_code == 405


def test_revoking_is_csrf_protected(admin_user: Any, session_ids: list[str]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(f"{URL}{row().pk}/revoke/").status_code == 403
    assert not SessionRow.objects.filter(revoke_reason="admin").exists()


def test_revoking_needs_the_change_permission(viewer: Client, session_ids: list[str]) -> None:
    live = row()
    text = page(viewer.get(f"{URL}{live.pk}/change/"))
    assert "/revoke/" not in text and "Safari 18 on iPhone" in text
    assert viewer.get(f"{URL}{live.pk}/revoke/").status_code == 403
    assert viewer.post(f"{URL}{live.pk}/revoke/").status_code == 403
    assert 'value="revoke"' not in page(viewer.get(URL))
    assert viewer.post(URL, {"action": "revoke", "_selected_action": [live.pk]}).status_code == 200
    assert not SessionRow.objects.filter(revoke_reason="admin").exists()


def test_an_unknown_session_is_not_found(admin_client: Client, session_ids: list[str]) -> None:
    assert admin_client.get(f"{URL}999999/revoke/").status_code == 404


def test_the_revoke_action_revokes_the_live_ones_through_the_service(
    admin_client: Client, session_ids: list[str]
) -> None:
    pks = list(SessionRow.objects.values_list("pk", flat=True))
    response = admin_client.post(URL, {"action": "revoke", "_selected_action": pks}, follow=True)
    assert "Revoked 2 sessions." in page(response)
    assert sorted(SessionRow.objects.values_list("revoke_reason", flat=True)) == ["admin", "admin", "logout"]
    assert all(rix_auth.database().authenticate_session(i).failed for i in session_ids)
    assert LogEntry.objects.count() == 2


def test_the_stock_user_admin_gains_live_sessions() -> None:
    site = AdminSite()
    site.register(get_user_model(), UserAdmin)
    extend_user_admin(site)
    extend_user_admin(site)  # idempotent
    assert type(site.get_model_admin(get_user_model())) is SessionsUserAdmin


def test_a_projects_own_user_admin_is_left_alone() -> None:
    class ProjectUserAdmin(UserAdmin):  # type: ignore[type-arg]
        list_display = ("username",)

    site = AdminSite()
    site.register(get_user_model(), ProjectUserAdmin)
    extend_user_admin(site)
    assert type(site.get_model_admin(get_user_model())) is ProjectUserAdmin


def test_the_user_changelist_counts_live_sessions(admin_client: Client, session_ids: list[str]) -> None:
    SessionRow.objects.filter(pk=row().pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = admin_client.get(USERS, {"o": "-6"})  # sorted by the live-sessions column, most first
    counted = [(user.username, user.rix_live_sessions) for user in response.context["cl"].result_list]
    assert counted == [("grace", 1), ("admin", 0)]
    assert "Live sessions" in page(response)


def test_the_user_page_lists_live_sessions_read_only(admin_client: Client, session_ids: list[str]) -> None:
    grace = get_user_model().objects.get(username="grace")
    text = page(admin_client.get(f"{USERS}{grace.pk}/change/"))
    inline = text.split("Live login sessions")[1].split("</fieldset>")[0]
    assert inline.count("Safari 18 on iPhone") == 2 and "Chrome 156 on Linux" not in inline
    live = [str(pk) for pk in SessionRow.objects.filter(revoked_at__isnull=True).values_list("pk", flat=True)]
    assert all(f"{URL}{pk}/change/" in inline for pk in live)
    assert 'name="rix_sessions-0-ip"' not in text and "rix_sessions-__prefix__" not in text
    assert secrets_absent(text, session_ids)


def test_the_user_page_still_saves(admin_client: Client, session_ids: list[str]) -> None:
    """The read-only inline sends only its management form, as a browser would."""
    grace = get_user_model().objects.get(username="grace")
    fields = {"username": "grace", "email": EMAIL, "first_name": "Grace", "is_active": "on",
              "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}  # fmt: skip
    management = {"rix_sessions-TOTAL_FORMS": "2", "rix_sessions-INITIAL_FORMS": "2"}
    assert admin_client.post(f"{USERS}{grace.pk}/change/", {**fields, **management}).status_code == 302
    assert get_user_model().objects.get(pk=grace.pk).first_name == "Grace"
    assert SessionRow.objects.filter(revoked_at__isnull=True).count() == 2


def _users_with_a_session(count: int) -> None:
    for n in range(count):
        _login(f"user{n}@example.com", user_agent=CHROME_LINUX)


@pytest.mark.parametrize("count", [1, 6])
@pytest.mark.parametrize(("url", "queries"), [(URL, 5), (USERS, 6)])  # the user admin also lists groups to filter by
def test_changelists_cost_the_same_queries_for_any_number_of_rows(
    admin_client: Client, django_assert_num_queries: DjangoAssertNumQueries, count: int, url: str, queries: int
) -> None:
    _users_with_a_session(count)
    with django_assert_num_queries(queries):  # session, user, filtered count, full count, the rows
        assert admin_client.get(url).status_code == 200
