"""An older session dies with its user's deactivation, password change or deletion, over HTTP.

Every way Django lets an admin or a program change a user is tried on both
transports. A save() revokes at once (rix_auth.receivers); QuerySet.update and
bulk_update send no signal, so the request path's one query must notice them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from rix_auth import signals, tokens
from rix_auth.clock import ManualClock
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD, bearer

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db
COOKIE = "rix_session"
CREDENTIALS = {"email": EMAIL, "password": PASSWORD}
NEW_PASSWORD = "another-password-9"
User = get_user_model()
Revoked = list[dict[str, Any]]


@dataclass(frozen=True)
class Device:
    """One signed-in client holding one session, over one transport."""

    client: Client
    transport: str
    session_id: str

    def visit(self) -> Response:
        """GET /auth/session/; a cookie client replays its cookie even after a refusal cleared it."""
        if self.transport == "cookie":
            self.client.cookies[COOKIE] = self.session_id
            return self.client.get("/auth/session/")
        return self.client.get("/auth/session/", headers=bearer(self.session_id))

    def row(self) -> SessionRow | None:
        return SessionRow.objects.filter(digest=tokens.digest(self.session_id)).first()


SignIn = Callable[[], Device]


@pytest.fixture(params=["bearer", "cookie"])
def sign_in(request: pytest.FixtureRequest, client: Client, clock: ManualClock) -> SignIn:
    """Log in over the transport under test; each call is another device with its own session."""
    transport: str = request.param

    def open_session() -> Device:
        if transport == "bearer":
            response = client.post("/auth/login/", CREDENTIALS, content_type="application/json")
            assert response.status_code == 200, response.content
            return Device(client, transport, response.json()["session_id"])
        browser = Client()  # a cookie jar of its own
        response = browser.post("/auth/login/", {**CREDENTIALS, "cookie": True}, content_type="application/json")
        assert response.status_code == 200, response.content
        return Device(browser, transport, response.cookies[COOKIE].value)

    return open_session


@pytest.fixture
def revocations() -> Iterator[Revoked]:
    seen: Revoked = []

    def receiver(sender: object, **kwargs: Any) -> None:
        seen.append(kwargs)

    signals.session_revoked.connect(receiver, weak=False)
    yield seen
    signals.session_revoked.disconnect(receiver)


def grace() -> Any:
    return User.objects.get(email=EMAIL)


def error_code(response: Response) -> str:
    return str(response.json()["error"]["code"])


def deactivate_by_update(user: Any) -> None:
    User.objects.filter(pk=user.pk).update(is_active=False)


def deactivate_by_bulk_update(user: Any) -> None:
    user.is_active = False
    User.objects.bulk_update([user], ["is_active"])


def deactivate_by_save(user: Any) -> None:
    user.is_active = False
    user.save()


def unusable_password_by_save(user: Any) -> None:
    user.set_unusable_password()
    user.save()


def new_password_by_save(user: Any) -> None:
    user.set_password(NEW_PASSWORD)
    user.save()


def password_disabled_in_the_admin(user: Any) -> None:
    """The admin's "Password-based authentication: Disabled" (Django 5.1+)."""
    staff = Client()
    staff.force_login(User.objects.create_superuser("root", "root@example.com", "root-password-1"))
    form = {"usable_password": "false", "unset-password": "Disable password-based authentication"}  # the button
    response = staff.post(f"/admin/auth/user/{user.pk}/password/", form)
    assert response.status_code == 302, response.content
    assert not grace().has_usable_password()


def new_password_by_update(user: Any) -> None:
    User.objects.filter(pk=user.pk).update(password=make_password(NEW_PASSWORD))


def delete(user: Any) -> None:
    user.delete()


@dataclass(frozen=True)
class Change:
    """One way the user changes, and what an older session must answer afterwards."""

    apply: Callable[[Any], None]
    status: int
    code: str
    reason: str | None  # the row's revoke_reason; None when the row went with its user
    revokes_at_once: bool  # a save(): the receiver revoked, so the refusal has nothing left to write


DISABLED = (403, "user_disabled", "deactivation")
CHANGED = (401, "session_revoked", "password_change")
CHANGES = {
    "update-is_active": Change(deactivate_by_update, *DISABLED, revokes_at_once=False),
    "bulk_update-is_active": Change(deactivate_by_bulk_update, *DISABLED, revokes_at_once=False),
    "save-is_active": Change(deactivate_by_save, *DISABLED, revokes_at_once=True),
    "save-unusable-password": Change(unusable_password_by_save, *CHANGED, revokes_at_once=True),
    "save-new-password": Change(new_password_by_save, *CHANGED, revokes_at_once=True),
    "admin-disables-password": Change(password_disabled_in_the_admin, *CHANGED, revokes_at_once=True),
    "update-password": Change(new_password_by_update, *CHANGED, revokes_at_once=False),
    "delete": Change(delete, 401, "invalid_session", None, revokes_at_once=False),
}
EVERY_CHANGE = [pytest.param(change, id=name) for name, change in CHANGES.items()]
REVOKING = [pytest.param(change, id=name) for name, change in CHANGES.items() if change.reason]
DEACTIVATING = [pytest.param(change, id=name) for name, change in CHANGES.items() if change.reason == "deactivation"]


def updates_of_sessions(captured: CaptureQueriesContext) -> list[str]:
    table = connection.ops.quote_name(SessionRow._meta.db_table)
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith(f"UPDATE {table}")]


def extensions(captured: CaptureQueriesContext) -> list[str]:
    """The UPDATEs that set a session's expiry: what a sliding refresh writes."""
    expires_at = connection.ops.quote_name("expires_at")
    return [sql for sql in updates_of_sessions(captured) if expires_at in sql.partition(" WHERE ")[0]]


@pytest.mark.parametrize("change", EVERY_CHANGE)
def test_an_older_session_is_refused_on_its_next_request_after(
    registered: object, sign_in: SignIn, clock: ManualClock, change: Change
) -> None:
    device = sign_in()
    assert device.visit().status_code == 200
    change.apply(grace())
    response = device.visit()
    assert (response.status_code, error_code(response)) == (change.status, change.code)
    row = device.row()
    if change.reason is None:
        assert row is None  # gone with its user (FK cascade)
    else:
        assert row is not None and (row.revoke_reason, row.revoked_at) == (change.reason, clock())
    if device.transport == "cookie":
        assert response.cookies[COOKIE]["max-age"] == 0  # the dead cookie is cleared


@pytest.mark.parametrize("change", EVERY_CHANGE)
def test_sliding_refresh_never_revives_a_refused_session(
    registered: object, sign_in: SignIn, clock: ManualClock, settings: Any, change: Change
) -> None:
    settings.RIX_AUTH = {"PRESET": "development", "REFRESH_INTERVAL_SECONDS": 300}
    device = sign_in()
    clock.advance(301)
    with CaptureQueriesContext(connection) as control:
        assert device.visit().status_code == 200
    assert len(extensions(control)) == 1  # sliding refresh is due and live here, and this spots its write
    before = device.row()
    change.apply(grace())
    for _ in range(2):  # the first refusal, and a later one
        clock.advance(301)
        with CaptureQueriesContext(connection) as captured:
            assert error_code(device.visit()) == change.code
        assert extensions(captured) == []
    after = device.row()
    if change.reason is None:
        assert after is None
    else:
        assert before is not None and after is not None
        assert (after.expires_at, after.last_seen_at) == (before.expires_at, before.last_seen_at)


@pytest.mark.parametrize("reactivate", ["update", "save"])
@pytest.mark.parametrize("change", DEACTIVATING)
def test_reactivation_restores_no_session_but_a_new_login_works(
    registered: object, sign_in: SignIn, change: Change, reactivate: str
) -> None:
    device = sign_in()
    change.apply(grace())
    assert error_code(device.visit()) == "user_disabled"
    if reactivate == "update":
        User.objects.filter(email=EMAIL).update(is_active=True)
    else:
        user = grace()
        user.is_active = True
        user.save()
    response = device.visit()
    assert (response.status_code, error_code(response)) == (401, "session_revoked")
    row = device.row()
    assert row is not None and row.revoke_reason == "deactivation"
    assert sign_in().visit().status_code == 200


@pytest.mark.parametrize("change", REVOKING)
def test_session_revoked_is_signalled_once_with_the_reason(
    registered: object, sign_in: SignIn, revocations: Revoked, change: Change
) -> None:
    device = sign_in()
    change.apply(grace())
    seen = [len(revocations)]
    for _ in range(2):
        device.visit()
        seen.append(len(revocations))
    assert seen == ([1, 1, 1] if change.revokes_at_once else [0, 1, 1])  # by the save, or by the first refusal
    (signal,) = revocations
    assert signal["reason"] == change.reason
    row = device.row()
    if not change.revokes_at_once:
        assert row is not None and (signal["count"], signal["public_id"]) == (1, row.public_id)


def test_a_usable_session_costs_one_select_and_no_write(
    registered: object, sign_in: SignIn, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    device = sign_in()
    with django_assert_num_queries(1) as captured:
        assert device.visit().status_code == 200
    assert captured.captured_queries[0]["sql"].startswith("SELECT")


@pytest.mark.parametrize("change", EVERY_CHANGE)
def test_only_the_first_refusal_writes_and_only_to_revoke_what_no_save_revoked(
    registered: object, sign_in: SignIn, django_assert_num_queries: DjangoAssertNumQueries, change: Change
) -> None:
    device = sign_in()
    change.apply(grace())
    with CaptureQueriesContext(connection) as first:
        assert error_code(device.visit()) == change.code
    assert len(updates_of_sessions(first)) == (0 if change.revokes_at_once or change.reason is None else 1)
    with django_assert_num_queries(1) as second:
        assert error_code(device.visit()) == change.code
    assert second.captured_queries[0]["sql"].startswith("SELECT")


def test_a_rehash_at_login_keeps_the_other_sessions_alive(client: Client, sign_in: SignIn, settings: Any) -> None:
    default_hashers = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["tests.hashers.WeakArgon2PasswordHasher"]
    assert client.post("/auth/register/", CREDENTIALS, content_type="application/json").status_code == 201
    earlier = sign_in()
    weak = grace().password
    assert "m=1024" in weak
    settings.PASSWORD_HASHERS = default_hashers
    assert sign_in().visit().status_code == 200  # this login re-hashed the same password
    assert grace().password != weak and "m=8192" in grace().password
    assert earlier.visit().status_code == 200
    assert not SessionRow.objects.revoked().exists()


@pytest.mark.parametrize("edit", ["save", "update"])
def test_an_unrelated_profile_edit_revokes_nothing(
    registered: object, sign_in: SignIn, revocations: Revoked, edit: str
) -> None:
    device = sign_in()
    if edit == "save":
        user = grace()
        user.first_name = "Grace"
        user.save()
    else:
        User.objects.filter(email=EMAIL).update(first_name="Grace")
    assert device.visit().status_code == 200
    assert not SessionRow.objects.revoked().exists() and revocations == []
