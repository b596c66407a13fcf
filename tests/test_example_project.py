"""The example site's page works as a newcomer would use it: a browser with cookies and CSRF."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
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
    confirm = laptop.get("/logout/everywhere/")  # the button leads to a form that asks for the password
    assert confirm.status_code == 200 and 'type="password" name="password"' in confirm.content.decode()
    assert post(laptop, "/logout/everywhere/", {"password": PASSWORD}) == 302
    assert not SessionRow.objects.filter(revoked_at__isnull=True).exists()
    assert "Your sessions" not in laptop.get("/").content.decode()


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
        "log out everywhere": ("/logout/everywhere/", {"password": PASSWORD}),
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
        response = laptop.post("/logout/everywhere/", {"password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 503 and "Logging out failed" in response.content.decode()
    assert "Your sessions" in response.content.decode()  # the store answers reads: the page is whole
    assert SessionRow.objects.filter(revoked_at__isnull=True).count() == 2


@pytest.mark.parametrize("password", ["wrong-password", "", "other-password-5"])
@override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=TEMPLATES)
def test_log_out_everywhere_with_a_wrong_password_shows_the_message_and_does_nothing(password: str) -> None:
    phone, laptop = signed_in_pair()
    rix_auth.database().register_user("other@example.com", "other-password-5")
    before = SessionRow.objects.values_list("public_id", "authenticated_at").order_by("public_id")
    expected = list(before)
    token = laptop.cookies["csrftoken"].value
    response = laptop.post("/logout/everywhere/", {"password": password, "csrfmiddlewaretoken": token})
    page = response.content.decode()
    assert response.status_code == 400 and 'type="password" name="password"' in page
    message = "The email or password is incorrect." if password else "A password must be a string"
    assert message in page
    assert "rix_session" not in response.cookies
    assert not SessionRow.objects.filter(revoked_at__isnull=False).exists()
    assert list(before.all()) == expected  # not even authenticated_at moved
    assert "Your sessions" in phone.get("/").content.decode() and "Your sessions" in laptop.get("/").content.decode()


@override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=TEMPLATES)
def test_log_out_everywhere_needs_a_session_the_csrf_token_and_works_without_javascript() -> None:
    stranger = browser("Stranger/1.0")
    assert stranger.get("/logout/everywhere/").status_code == 302  # nothing to confirm: back home
    assert post(stranger, "/logout/everywhere/", {"password": PASSWORD}) == 302
    phone, laptop = signed_in_pair()
    home = laptop.get("/").content.decode()
    assert 'method="get" action="/logout/everywhere/"><button>Log out everywhere</button>' in home  # a plain form
    refused = laptop.post("/logout/everywhere/", {"password": PASSWORD})  # no CSRF token
    assert refused.status_code == 403
    assert not SessionRow.objects.filter(revoked_at__isnull=False).exists()
    old_button = laptop.post("/logout/", {"everywhere": "1", "csrfmiddlewaretoken": laptop.cookies["csrftoken"].value})
    assert (old_button.status_code, old_button["Location"]) == (302, "/logout/everywhere/")  # a stale page: the form
    assert not SessionRow.objects.filter(revoked_at__isnull=False).exists()
    assert post(laptop, "/logout/everywhere/", {"password": PASSWORD}) == 302
    assert SessionRow.objects.filter(revoked_at__isnull=True).count() == 0
    assert "Your sessions" not in phone.get("/").content.decode()


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


@pytest.mark.parametrize("email", ["nobody@example.com", "inactive@example.com", "grace\x00@example.com"])
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


# --- Production mode: DJANGO_DEBUG=0 -------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-only-example-secret-" + "Zq8-Lm3_Vx7" * 5  # long and varied, as check --deploy wants
HARDENING = [
    "DEBUG", "RIX_AUTH", "MIDDLEWARE", "ALLOWED_HOSTS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS",
]  # fmt: skip
DUMP = f"""
import json, django
from django.conf import settings
django.setup()
from rix_auth.conf import settings as rix
values = {{name: getattr(settings, name) for name in {HARDENING!r}}}
values.update(preset=rix.preset, cookie_secure=rix.cookie_secure, cookie_name=rix.cookie_name)
values.update(secret_is_ours=settings.SECRET_KEY == {SECRET!r}, proxy_header=settings.SECURE_PROXY_SSL_HEADER)
print(json.dumps(values))
"""
XFRAME = "django.middleware.clickjacking.XFrameOptionsMiddleware"


def run_example(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter on the example's settings, with only the DJANGO_* variables given here."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    clean.update(DJANGO_SETTINGS_MODULE="example_project.settings", **env)
    command = [sys.executable, *args]
    return subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False)


def example_settings(**env: str) -> dict[str, Any]:
    done = run_example("-c", DUMP, **env)
    assert done.returncode == 0, done.stderr
    values: dict[str, Any] = json.loads(done.stdout)
    return values


def test_with_debug_off_the_example_uses_the_production_preset_secure_cookies_and_hsts() -> None:
    values = example_settings(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET)
    assert values["DEBUG"] is False and values["secret_is_ours"]
    assert values["RIX_AUTH"] == {"PRESET": "production"} and values["preset"] == "production"
    assert values["cookie_secure"] is True and values["cookie_name"] == "__Host-rix_session"
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert XFRAME in values["MIDDLEWARE"] and values["X_FRAME_OPTIONS"] == "DENY"
    assert 0 < values["SECURE_HSTS_SECONDS"] <= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True and values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_SSL_REDIRECT"] is False and values["proxy_header"] is None  # opt-in: they need the setup
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_the_environment_turns_on_the_https_switches_and_names_the_hosts() -> None:
    values = example_settings(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="example.com, www.example.com",
        DJANGO_SECURE_SSL_REDIRECT="1",
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        DJANGO_SECURE_HSTS_SECONDS="31536000",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        DJANGO_SECURE_HSTS_PRELOAD="1",
    )
    assert values["ALLOWED_HOSTS"] == ["example.com", "www.example.com"]
    assert values["SECURE_SSL_REDIRECT"] is True and values["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and values["SECURE_HSTS_PRELOAD"] is True


def test_with_debug_on_the_example_stays_plain_http_on_the_public_key() -> None:
    values = example_settings()  # make run, make demo: no DJANGO_* variable at all
    assert values["DEBUG"] is True and values["preset"] == "development"
    assert values["cookie_secure"] is False and values["cookie_name"] == "rix_session"
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0 and values["SECURE_SSL_REDIRECT"] is False


@pytest.mark.parametrize(
    "secret", [None, "", "example-project-only-never-use-in-production"], ids=["unset", "empty", "the public one"]
)
def test_debug_off_without_a_secret_of_ones_own_refuses_to_start(secret: str | None) -> None:
    env = {"DJANGO_DEBUG": "0"} | ({} if secret is None else {"DJANGO_SECRET_KEY": secret})
    done = run_example("manage.py", "check", **env)
    assert done.returncode != 0
    assert "ImproperlyConfigured: DJANGO_DEBUG=0 needs a secret key of your own" in done.stderr
    assert "set DJANGO_SECRET_KEY to a long random value" in done.stderr and "get_random_secret_key" in done.stderr


def check_deploy(**env: str) -> str:
    done = run_example("manage.py", "check", "--deploy", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_check_deploy_in_production_mode_leaves_only_the_opt_in_https_switches() -> None:
    output = check_deploy()
    assert "rix_auth." not in output and "ERRORS" not in output
    for fixed in ("W004", "W009", "W012", "W016", "W018", "W019", "W020"):  # HSTS, key, cookies, DEBUG, frames, hosts
        assert f"security.{fixed}" not in output, output
    opt_in = {"W005", "W008", "W021"}  # HSTS for subdomains, SSL redirect, HSTS preload: the environment decides
    assert set(re.findall(r"\(security\.(W\d+)\)", output)) <= opt_in, output
    everything = check_deploy(
        DJANGO_SECURE_SSL_REDIRECT="1", DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="1", DJANGO_SECURE_HSTS_PRELOAD="1"
    )
    assert "rix_auth." not in everything and "security." not in everything, everything


def test_a_secure_sign_in_on_the_production_settings_sets_a_host_cookie_and_the_security_headers() -> None:
    values = example_settings(DJANGO_DEBUG="0", DJANGO_SECRET_KEY=SECRET)
    production = {name: values[name] for name in HARDENING if name not in ("DEBUG", "ALLOWED_HOSTS")}
    with override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=TEMPLATES, **production):
        client = Client(enforce_csrf_checks=True, headers={"User-Agent": "Phone/1.0"})
        page = client.get("/", secure=True)
        assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"
        assert page["Strict-Transport-Security"] == f"max-age={values['SECURE_HSTS_SECONDS']}"
        assert page["Referrer-Policy"] == "same-origin"
        assert page.cookies["csrftoken"]["secure"] is True
        data = {"email": EMAIL, "password": PASSWORD, "register": "1"}
        data["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
        signed_in = client.post("/login/", data, secure=True, headers={"Origin": "https://testserver"})
        assert signed_in.status_code == 302, signed_in.content
        cookie = signed_in.cookies["__Host-rix_session"]
        assert cookie["secure"] is True and cookie["httponly"] is True and cookie["path"] == "/"
        assert not cookie["domain"] and "rix_session" not in signed_in.cookies
        assert f"Signed in as {EMAIL}." in client.get("/", secure=True).content.decode()
        assert "Strict-Transport-Security" not in client.get("/")  # HSTS is only ever sent over HTTPS
