"""The page's flow over HTTP, through Django's test client."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from rix_auth.clock import ManualClock
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD, bearer

pytestmark = pytest.mark.django_db
Login = Callable[..., str]


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_register_login_whoami_refresh_logout_then_rejected(
    client: Client, bearer_login: Login, clock: ManualClock
) -> None:
    session_id = bearer_login()
    whoami = client.get("/auth/session/", headers=bearer(session_id))
    assert whoami.status_code == 200
    user_id = get_user_model().objects.get().pk
    assert whoami.json()["user_id"] == user_id
    assert session_id not in whoami.content.decode()

    clock.advance(60)
    refreshed = client.post("/auth/refresh/", headers=bearer(session_id))
    assert refreshed.status_code == 200
    assert refreshed.json()["session"]["last_seen_at"] == clock().isoformat()

    assert client.post("/auth/logout/", headers=bearer(session_id)).status_code == 200
    rejected = client.get("/auth/session/", headers=bearer(session_id))
    assert (rejected.status_code, error_code(rejected)) == (401, "session_revoked")
    assert rejected["WWW-Authenticate"].startswith("Bearer")


def test_the_login_response_is_never_cached_and_carries_no_cookie_for_bearer_clients(
    client: Client, registered: object
) -> None:
    response = client.post("/auth/login/", {"email": EMAIL, "password": PASSWORD}, content_type="application/json")
    assert "no-store" in response["Cache-Control"]
    assert response.json()["session_id"].startswith("session_")
    assert not response.cookies


def test_an_expired_session_answers_401_session_expired(
    client: Client, bearer_login: Login, clock: ManualClock
) -> None:
    session_id = bearer_login()
    clock.advance(days=8)
    response = client.get("/auth/session/", headers=bearer(session_id))
    assert (response.status_code, error_code(response)) == (401, "session_expired")


def test_wrong_password_and_unknown_email_get_the_same_401(client: Client, registered: object) -> None:
    answers = [
        client.post("/auth/login/", {"email": email, "password": "wrong-password"}, content_type="application/json")
        for email in (EMAIL, "nobody@example.com")
    ]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].json() == answers[1].json()
    assert error_code(answers[0]) == "invalid_credentials"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("not json", 400, "invalid_input"),
        ("[1, 2]", 400, "invalid_input"),
        ('{"email": "grace@example.com", "password": "short"}', 400, "invalid_input"),
        ('{"email": "GRACE@example.com", "password": "another-password"}', 409, "user_already_exists"),
    ],
)
def test_register_errors_have_status_and_code(
    client: Client, registered: object, body: str, status: int, code: str
) -> None:
    response = client.post("/auth/register/", body, content_type="application/json")
    assert (response.status_code, error_code(response)) == (status, code)
    assert response.json()["error"]["message"]


def test_a_disabled_user_gets_403(client: Client, registered: object) -> None:
    get_user_model().objects.update(is_active=False)
    response = client.post("/auth/login/", {"email": EMAIL, "password": PASSWORD}, content_type="application/json")
    assert (response.status_code, error_code(response)) == (403, "user_disabled")


def test_logout_all_revokes_every_device(client: Client, bearer_login: Login) -> None:
    phone, laptop, tablet = bearer_login(), bearer_login(), bearer_login()
    response = client.post("/auth/logout-all/", headers=bearer(phone))
    assert response.json() == {"revoked": 3}
    for session_id in (phone, laptop, tablet):
        assert error_code(client.get("/auth/session/", headers=bearer(session_id))) == "session_revoked"


def test_a_password_change_revokes_every_device(client: Client, bearer_login: Login) -> None:
    phone, laptop = bearer_login(), bearer_login()
    user = get_user_model().objects.get()
    user.set_password("a-brand-new-password")
    user.save()
    for session_id in (phone, laptop):
        assert error_code(client.get("/auth/session/", headers=bearer(session_id))) == "session_revoked"
    assert set(SessionRow.objects.values_list("revoke_reason", flat=True)) == {"password_change"}


def test_a_password_change_in_the_admin_revokes_every_device(client: Client, bearer_login: Login) -> None:
    session_id = bearer_login()
    user = get_user_model().objects.get()
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "root-password-1")
    staff = Client()
    staff.force_login(admin)
    response = staff.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "changed-by-admin-1", "password2": "changed-by-admin-1", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    assert error_code(client.get("/auth/session/", headers=bearer(session_id))) == "session_revoked"


def test_deactivation_revokes_every_device_and_reactivation_does_not_restore_them(
    client: Client, bearer_login: Login
) -> None:
    session_id = bearer_login()
    user = get_user_model().objects.get()
    user.is_active = False
    user.save()
    user.is_active = True
    user.save()
    assert error_code(client.get("/auth/session/", headers=bearer(session_id))) == "session_revoked"
    assert SessionRow.objects.get().revoke_reason == "deactivation"


def test_an_unrelated_profile_save_revokes_nothing(client: Client, bearer_login: Login) -> None:
    session_id = bearer_login()
    user = get_user_model().objects.get()
    user.first_name = "Grace"
    user.save()
    assert client.get("/auth/session/", headers=bearer(session_id)).status_code == 200


def test_my_sessions_lists_devices_without_ids_and_revokes_one_by_handle(client: Client, bearer_login: Login) -> None:
    phone = bearer_login(**{"User-Agent": "Phone/1.0"})
    laptop = bearer_login(**{"User-Agent": "Laptop/2.0"})
    listed = client.get("/auth/sessions/", headers=bearer(phone))
    devices = listed.json()["sessions"]  # the caller's session first, though the laptop's is newer
    assert [(d["device"], d["user_agent"], d["current"], d["ip"]) for d in devices] == [
        ("Phone 1.0", "Phone/1.0", True, "127.0.0.1"), ("Laptop 2.0", "Laptop/2.0", False, "127.0.0.1")]  # fmt: skip
    assert phone not in listed.content.decode() and laptop not in listed.content.decode()
    revoked = client.post(f"/auth/sessions/{devices[1]['public_id']}/revoke/", headers=bearer(phone))
    assert revoked.status_code == 200
    assert error_code(client.get("/auth/session/", headers=bearer(laptop))) == "session_revoked"
    assert client.get("/auth/session/", headers=bearer(phone)).status_code == 200


def test_another_users_handle_is_not_found(client: Client, bearer_login: Login) -> None:
    mine = bearer_login()
    handle = client.get("/auth/sessions/", headers=bearer(mine)).json()["sessions"][0]["public_id"]
    client.post("/auth/register/", {"email": "eve@example.com", "password": PASSWORD}, content_type="application/json")
    eve = client.post(
        "/auth/login/", {"email": "eve@example.com", "password": PASSWORD}, content_type="application/json"
    ).json()["session_id"]
    for target in (handle, "0" * 16, "not-a-handle"):
        response = client.post(f"/auth/sessions/{target}/revoke/", headers=bearer(eve))
        assert response.status_code in (400, 404)
    assert client.get("/auth/session/", headers=bearer(mine)).status_code == 200


def test_a_long_user_agent_is_truncated_not_an_error(client: Client, bearer_login: Login) -> None:
    bearer_login(**{"User-Agent": "A" * 5000})
    assert SessionRow.objects.get().user_agent == "A" * 256


@pytest.mark.parametrize(("key", "field"), [("RECORD_IP", "ip"), ("RECORD_USER_AGENT", "user_agent")])
def test_device_metadata_can_be_switched_off(
    client: Client, bearer_login: Login, settings, key: str, field: str
) -> None:
    settings.RIX_AUTH = {**settings.RIX_AUTH, key: False}
    bearer_login(**{"User-Agent": "Phone/1.0"})
    assert getattr(SessionRow.objects.get(), field) in (None, "")


def test_an_id_in_the_query_string_or_a_form_field_is_ignored(client: Client, bearer_login: Login) -> None:
    session_id = bearer_login()
    assert client.get(f"/whoami-plain/?session_id={session_id}").json() == {"user_id": None, "error": None}
    posted = client.post("/auth/logout/", {"session_id": session_id})
    assert posted.status_code == 401
    assert client.get("/auth/session/", headers=bearer(session_id)).status_code == 200


def test_the_decorator_and_the_mixin_answer_401_with_the_code(client: Client, bearer_login: Login) -> None:
    assert error_code(client.get("/whoami-class/")) == "invalid_session"
    assert error_code(client.get("/whoami-class/", headers=bearer("session_" + "x" * 43))) == "invalid_session"
    assert error_code(client.get("/whoami-class/", headers=bearer("nonsense"))) == "invalid_input"
    assert client.get("/whoami-class/", headers=bearer(bearer_login())).status_code == 200


def test_a_password_change_that_cannot_revoke_is_logged_loudly(
    bearer_login: Login, caplog: pytest.LogCaptureFixture
) -> None:
    from unittest import mock

    from rix_auth.error import AuthError, AuthErrorCode
    from rix_auth.result import Result

    bearer_login()
    user = get_user_model().objects.get()
    failure = Result.failure(AuthError(AuthErrorCode.STORE_ERROR))
    with mock.patch("rix_auth.service.Auth.logout_user", return_value=failure):
        user.set_password("a-brand-new-password")
        user.save()
    assert f"could not revoke the sessions of user {user.pk} after password_change" in caplog.text


ENDPOINTS = {
    "/auth/csrf/": "GET",
    "/auth/register/": "POST",
    "/auth/login/": "POST",
    "/auth/session/": "GET",
    "/auth/refresh/": "POST",
    "/auth/logout/": "POST",
    "/auth/logout-all/": "POST",
    "/auth/sessions/": "GET",
    "/auth/sessions/0123456789abcdef/revoke/": "POST",
}


@pytest.mark.parametrize(("path", "allowed"), ENDPOINTS.items())
def test_every_endpoint_answers_other_methods_with_a_json_405_and_the_allow_header(path: str, allowed: str) -> None:
    browser = Client(enforce_csrf_checks=True)  # Django's CSRF middleware must not answer first, in HTML
    accepted = {"GET": ("GET", "HEAD"), "POST": ("POST",)}[allowed]  # HEAD goes wherever GET does
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"):
        if method in accepted:
            continue
        response = browser.generic(method, path)
        assert (response.status_code, response["Allow"]) == (405, ", ".join(accepted)), (method, path)
        if method != "HEAD":  # the test client drops a HEAD answer's body, as servers do
            assert error_code(response) == "method_not_allowed"
            assert allowed in response.json()["error"]["message"]
