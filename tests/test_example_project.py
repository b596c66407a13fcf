"""The example site works as a newcomer would use it: a browser with cookies and CSRF, and API clients."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils.http import urlsafe_base64_encode

import rix_auth
from example_project import magic_link
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD, bearer

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parent.parent / "example_project"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [EXAMPLE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


@pytest.fixture(autouse=True)
def _example(settings: Any) -> None:
    settings.ROOT_URLCONF = "example_project.urls"
    settings.TEMPLATES = TEMPLATES
    settings.STATIC_URL = "/static/"


def browser(user_agent: str) -> Client:
    client = Client(enforce_csrf_checks=True, headers={"User-Agent": user_agent})
    client.get("/")
    return client


def post(client: Client, path: str, data: dict[str, str] | None = None) -> Any:
    return client.post(path, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_the_home_page_lists_the_pages_the_magic_link_and_both_api_examples() -> None:
    page = browser("Phone/1.0").get("/").content.decode()
    for link in ("/account/sign-in/", "/account/register/", "/account/devices/", "/auth/session/", "/api/drf/me/",
                 "/api/ninja/me"):  # fmt: skip
        assert f'href="{link}"' in page, link
    assert 'action="/magic/"' in page and "/admin/" not in page


def test_the_example_keeps_no_templates_of_its_own_for_the_shipped_pages() -> None:
    assert sorted(path.name for path in (EXAMPLE / "templates").iterdir()) == ["home.html", "magic_link.html"]


def test_register_on_the_shipped_pages_and_come_home_signed_in() -> None:
    client = browser("Phone/1.0")
    registered = post(client, "/account/register/", {"email": EMAIL, "password": PASSWORD})
    assert (registered.status_code, registered["Location"]) == (302, "/account/devices/")
    assert "Account created." in client.get("/account/devices/").content.decode()
    assert f"Signed in as {EMAIL}." in client.get("/").content.decode()


# --- The two API examples: DRF and django-ninja, behind the same session -------------------------

API = ["/api/drf/me/", "/api/ninja/me"]


@pytest.mark.parametrize("url", API)
def test_an_api_example_answers_a_bearer_session(url: str) -> None:
    rix_auth.database().register_user(EMAIL, PASSWORD)
    session = rix_auth.get_auth().login(EMAIL, PASSWORD).value.session
    response = Client().get(url, headers=bearer(session.id))
    assert response.status_code == 200
    assert response.json() == {"user_id": session.user_id, "email": EMAIL, "session": session.public_id}


@pytest.mark.parametrize(
    ("url", "body"),
    [("/api/drf/me/", {"detail": "Authentication credentials were not provided."}),
     ("/api/ninja/me", {"detail": "Unauthorized"})],
)  # fmt: skip
def test_an_api_example_without_credentials_answers_401_in_json(url: str, body: dict[str, str]) -> None:
    response = Client().get(url)
    assert (response.status_code, response.json()) == (401, body)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("url", API)
def test_an_api_example_refuses_a_revoked_session_with_rix_auths_code(url: str) -> None:
    rix_auth.database().register_user(EMAIL, PASSWORD)
    session = rix_auth.get_auth().login(EMAIL, PASSWORD).value.session
    assert rix_auth.get_auth().logout(session.id).ok
    response = Client().get(url, headers=bearer(session.id))
    assert response.status_code == 401 and "session_revoked" in response.content.decode()


@pytest.mark.parametrize("url", API)
def test_an_api_example_takes_the_pages_cookie_and_a_post_needs_the_csrf_token(url: str) -> None:
    client = browser("Phone/1.0")
    assert post(client, "/account/register/", {"email": EMAIL, "password": PASSWORD}).status_code == 302
    assert client.get(url).json()["email"] == EMAIL
    assert client.post(url).status_code == 403
    token = client.cookies["csrftoken"].value
    assert client.post(url, headers={"X-CSRFToken": token}).json()["email"] == EMAIL


# --- Sign-in links -------------------------------------------------------------------------------

LINK = re.compile(r"http://testserver(/magic/[^/\s]+/[^/\s]+/)")


def ask_for_link(client: Client, email: str) -> str:
    response = post(client, "/magic/", {"email": email})
    assert (response.status_code, response["Location"]) == (302, "/")
    page = client.get("/").content.decode()
    assert "check the terminal running the site" in page
    return page.split("<main")[1].split("</main>")[0].split("<h1>")[0]  # the notice, without the form's token


def printed_link(capsys: pytest.CaptureFixture[str]) -> str:
    found = LINK.findall(capsys.readouterr().out)
    assert len(found) == 1, found
    return str(found[0])


def test_a_magic_link_signs_in_once_and_lands_on_the_devices_page(capsys: pytest.CaptureFixture[str]) -> None:
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
    used = post(client, link)
    assert (used.status_code, used["Location"]) == (302, "/account/devices/")
    assert used.cookies["rix_session"]["httponly"] is True
    assert "This device" in client.get("/account/devices/").content.decode()
    assert SessionRow.objects.get(user_agent="Phone/1.0")
    again = browser("Laptop/2.0")
    assert again.get(link).status_code == 400
    refused = post(again, link)
    assert refused.status_code == 400 and "invalid, already used or expired" in refused.content.decode()
    assert SessionRow.objects.count() == 2


@pytest.mark.parametrize("email", ["nobody@example.com", "inactive@example.com", "grace\x00@example.com"])
def test_no_account_shows_the_same_page_and_prints_nothing(email: str, capsys: pytest.CaptureFixture[str]) -> None:
    rix_auth.database().register_user(EMAIL, PASSWORD)
    user_id = rix_auth.database().register_user("inactive@example.com", PASSWORD).value.id
    get_user_model().objects.filter(pk=user_id).update(is_active=False)
    client = browser("Phone/1.0")
    known = ask_for_link(client, EMAIL)
    printed_link(capsys)
    assert ask_for_link(client, email) == known
    assert capsys.readouterr().out == ""


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
        assert post(client, bad).status_code == 400
    assert client.get(f"/magic/{uid}/{token}/").status_code == 200  # the untouched link, still valid
    later = datetime.now() + timedelta(seconds=magic_link.TIMEOUT_SECONDS + 1)
    monkeypatch.setattr(magic_link.tokens, "_now", lambda: later)
    assert post(client, f"/magic/{uid}/{token}/").status_code == 400
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
        data = {"email": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
        signed_in = client.post("/account/register/", data, secure=True, headers={"Origin": "https://testserver"})
        assert signed_in.status_code == 302, signed_in.content
        cookie = signed_in.cookies["__Host-rix_session"]
        assert cookie["secure"] is True and cookie["httponly"] is True and cookie["path"] == "/"
        assert not cookie["domain"] and "rix_session" not in signed_in.cookies
        assert f"Signed in as {EMAIL}." in client.get("/", secure=True).content.decode()
        assert "Strict-Transport-Security" not in client.get("/")  # HSTS is only ever sent over HTTPS


@pytest.mark.parametrize("module", ["example_project.wsgi", "example_project.asgi"])
def test_the_example_site_has_an_entry_point_for_servers(module: str) -> None:
    import importlib

    assert callable(importlib.import_module(module).application)
