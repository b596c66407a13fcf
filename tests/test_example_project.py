"""The example site's page works as a newcomer would use it: a browser with cookies and CSRF."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.utils.http import urlsafe_base64_encode

import rix_auth
from example_project import magic_link
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD

pytestmark = pytest.mark.django_db
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent.parent / "example_project" / "templates"],
        "APP_DIRS": True,
    }
]


def browser(user_agent: str) -> Client:
    client = Client(enforce_csrf_checks=True, headers={"User-Agent": user_agent})
    client.get("/")
    return client


def post(client: Client, path: str, data: dict[str, str] | None = None) -> int:
    return client.post(path, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value}).status_code


@override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=TEMPLATES)
def test_register_see_devices_revoke_one_and_log_out_everywhere() -> None:
    phone, laptop = browser("Phone/1.0"), browser("Laptop/2.0")
    assert post(phone, "/login/", {"email": EMAIL, "password": PASSWORD, "register": "1"}) == 302
    assert post(laptop, "/login/", {"email": EMAIL, "password": PASSWORD}) == 302
    page = laptop.get("/").content.decode()
    assert "Your sessions" in page and "Phone/1.0" in page and "this device" in page
    assert f"Signed in as {EMAIL}." in page
    phone_handle = SessionRow.objects.get(user_agent="Phone/1.0").public_id
    assert laptop.post(f"/sessions/{phone_handle}/revoke/").status_code == 403  # no CSRF token
    assert post(laptop, f"/sessions/{phone_handle}/revoke/") == 302
    assert "Your sessions" not in phone.get("/").content.decode()
    assert post(laptop, "/logout/", {"everywhere": "1"}) == 302
    assert not SessionRow.objects.filter(revoked_at__isnull=True).exists()


@override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=TEMPLATES)
def test_a_wrong_password_shows_the_message() -> None:
    client = browser("Phone/1.0")
    token = client.cookies["csrftoken"].value
    response = client.post("/login/", {"email": EMAIL, "password": "nope", "csrfmiddlewaretoken": token})
    assert response.status_code == 400 and "The email or password is incorrect." in response.content.decode()


def signed_in_pair() -> tuple[Client, Client]:
    phone, laptop = browser("Phone/1.0"), browser("Laptop/2.0")
    assert post(phone, "/login/", {"email": EMAIL, "password": PASSWORD, "register": "1"}) == 302
    assert post(laptop, "/login/", {"email": EMAIL, "password": PASSWORD}) == 302
    return phone, laptop


def refuse(execute, sql, params, many, context):
    raise OperationalError("the database went away")


@pytest.mark.parametrize("button", ["log out", "log out everywhere", "revoke"])
@override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=TEMPLATES)
def test_a_button_pressed_during_a_database_outage_says_it_failed_and_works_when_pressed_again(button: str) -> None:
    _, laptop = signed_in_pair()
    phone_handle = SessionRow.objects.get(user_agent="Phone/1.0").public_id
    path, data = {
        "log out": ("/logout/", {}),
        "log out everywhere": ("/logout/", {"everywhere": "1"}),
        "revoke": (f"/sessions/{phone_handle}/revoke/", {}),
    }[button]
    token = laptop.cookies["csrftoken"].value
    with connection.execute_wrapper(refuse):
        failed = laptop.post(path, {**data, "csrfmiddlewaretoken": token})
    page = failed.content.decode()
    assert failed.status_code == 503
    assert "failed: the session store is unavailable" in page and "Log out everywhere</button>" in page
    assert "rix_session" not in failed.cookies  # kept, so pressing again can work
    assert not SessionRow.objects.filter(revoked_at__isnull=False).exists()
    assert "Your sessions" in laptop.get("/").content.decode()
    assert post(laptop, path, data) == 302


@override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=TEMPLATES)
def test_log_out_everywhere_that_cannot_revoke_keeps_this_device_signed_in_and_says_so() -> None:
    from rix_auth.error import AuthError, AuthErrorCode
    from rix_auth.result import Result

    _, laptop = signed_in_pair()
    failure, token = Result.failure(AuthError(AuthErrorCode.STORE_ERROR)), laptop.cookies["csrftoken"].value
    with mock.patch("rix_auth.service.Auth.logout_user", return_value=failure):
        response = laptop.post("/logout/", {"everywhere": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 503 and "Logging out failed" in response.content.decode()
    assert "Your sessions" in response.content.decode()  # the store answers reads: the page is whole
    assert SessionRow.objects.filter(revoked_at__isnull=True).count() == 2


LINK = re.compile(r"http://testserver(/magic/[^/\s]+/[^/\s]+/)")
HIDDEN_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def ask_for_link(client: Client, email: str) -> str:
    response = client.post("/magic/", {"email": email, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "check the terminal running the site" in page
    return HIDDEN_TOKEN.sub("", page)  # the masked CSRF token differs on every page


def printed_link(capsys: pytest.CaptureFixture[str]) -> str:
    found = LINK.findall(capsys.readouterr().out)
    assert len(found) == 1, found
    return str(found[0])


@override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=TEMPLATES)
def test_a_magic_link_signs_in_once(capsys: pytest.CaptureFixture[str]) -> None:
    rix_auth.database().register_user(EMAIL, PASSWORD)
    # last_login moves now and again when the link is used, most likely within the same second,
    # which Django's token alone (last_login to the second) would not notice.
    assert rix_auth.database().login(EMAIL, PASSWORD).ok
    client = browser("Phone/1.0")
    ask_for_link(client, EMAIL.upper())  # found as login finds it
    link = printed_link(capsys)
    confirm = client.get(link)  # what a mail scanner does: it must not spend the link
    assert confirm.status_code == 200 and f"Sign in as {EMAIL}" in confirm.content.decode()
    assert SessionRow.objects.count() == 1
    assert post(client, link) == 302
    assert f"Signed in as {EMAIL}." in client.get("/").content.decode()
    assert SessionRow.objects.get(user_agent="Phone/1.0")
    again = browser("Laptop/2.0")
    assert again.get(link).status_code == 400
    refused = again.post(link, {"csrfmiddlewaretoken": again.cookies["csrftoken"].value})
    assert refused.status_code == 400 and "invalid, already used or expired" in refused.content.decode()
    assert SessionRow.objects.count() == 2


@pytest.mark.parametrize("email", ["nobody@example.com", "inactive@example.com"])
@override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=TEMPLATES)
def test_no_account_shows_the_same_page_and_prints_nothing(email: str, capsys: pytest.CaptureFixture[str]) -> None:
    rix_auth.database().register_user(EMAIL, PASSWORD)
    user_id = rix_auth.database().register_user("inactive@example.com", PASSWORD).value.id
    get_user_model().objects.filter(pk=user_id).update(is_active=False)
    client = browser("Phone/1.0")
    known = ask_for_link(client, EMAIL)
    printed_link(capsys)
    assert ask_for_link(client, email) == known
    assert capsys.readouterr().out == ""


@override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=TEMPLATES)
def test_a_tampered_or_expired_link_signs_nobody_in(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rix_auth.database().register_user(EMAIL, PASSWORD)
    other = rix_auth.database().register_user("other@example.com", PASSWORD).value.id
    client = browser("Phone/1.0")
    ask_for_link(client, EMAIL)
    _, uid, token, _ = printed_link(capsys).split("/", 4)[1:]
    other_uid = urlsafe_base64_encode(str(other).encode())
    flipped = token[:-1] + ("0" if token[-1] != "0" else "1")
    for bad_uid, bad_token in ((uid, flipped), (other_uid, token), ("Zm9v", token), ("x", token)):
        bad = f"/magic/{bad_uid}/{bad_token}/"
        assert client.get(bad).status_code == 400
        assert post(client, bad) == 400
    assert client.get(f"/magic/{uid}/{token}/").status_code == 200  # the untouched link, still valid
    later = datetime.now() + timedelta(seconds=magic_link.TIMEOUT_SECONDS + 1)
    monkeypatch.setattr(magic_link.tokens, "_now", lambda: later)
    assert post(client, f"/magic/{uid}/{token}/") == 400
    assert not SessionRow.objects.exists()
