"""rix_auth.web: the sign-in, registration and sign-out pages, as a browser without JavaScript uses them."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

import rix_auth
from rix_auth.clock import ManualClock
from rix_auth.error import AuthError, AuthErrorCode
from rix_auth.models import Session as SessionRow
from rix_auth.result import Result
from tests.conftest import EMAIL, PASSWORD
from tests.web import DEVICES, EVERYWHERE, REGISTER, SIGN_IN, SIGN_OUT, Browser, outage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.web"
    settings.STATIC_URL = "/static/"


@pytest.fixture
def account() -> None:
    assert rix_auth.database().register_user(EMAIL, PASSWORD).ok


class Inputs(HTMLParser):
    """Each visible input's name and autocomplete, and whether a ``<label for>`` names it."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict[str, str | None]] = {}
        self.labelled: set[str | None] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label":
            self.labelled.add(found.get("for"))
        elif tag == "input" and found.get("type") != "hidden":
            self.inputs[str(found["name"])] = found


def inputs_of(page: str) -> dict[str, str | None]:
    parsed = Inputs()
    parsed.feed(page)
    assert all(attrs.get("id") in parsed.labelled for attrs in parsed.inputs.values()), parsed.inputs
    return {name: attrs.get("autocomplete") for name, attrs in parsed.inputs.items()}


def test_every_page_is_labelled_and_tells_password_managers_what_each_field_is(account: None) -> None:
    browser = Browser()
    assert inputs_of(browser.page(SIGN_IN)) == {"email": "email", "password": "current-password"}
    assert inputs_of(browser.page(REGISTER)) == {"email": "email", "password": "new-password"}
    browser.sign_in()
    assert inputs_of(browser.page(DEVICES)) == {"password": "current-password"}


@pytest.mark.parametrize("url", [SIGN_IN, REGISTER, DEVICES])
def test_every_page_fits_a_phone_and_brings_its_own_stylesheet_and_icon(account: None, url: str) -> None:
    browser = Browser()
    if url == DEVICES:
        browser.sign_in()
    page = browser.page(url)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert 'href="/static/rix_auth/rix_auth.css"' in page and 'rel="icon" href="/static/rix_auth/favicon.svg"' in page
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")  # no CDN, no JavaScript


def test_the_files_the_pages_link_to_ship_with_the_app() -> None:
    static = Path(rix_auth.__file__).parent / "static" / "rix_auth"
    css = (static / "rix_auth.css").read_text()
    assert ":focus-visible" in css and "@media (max-width" in css and "@import" not in css
    assert (static / "favicon.svg").read_text().startswith("<svg")


def test_registering_signs_in_on_this_device_and_says_so() -> None:
    browser = Browser()
    response = browser.submit(REGISTER, email=EMAIL, password=PASSWORD)
    assert (response.status_code, response["Location"]) == (302, DEVICES)
    cookie = response.cookies["rix_session"]
    assert cookie["httponly"] is True and cookie.value
    page = browser.page(DEVICES)
    assert "Account created." in page and "This device" in page
    assert "Account created." not in browser.page(DEVICES)  # said once


def test_an_account_created_but_not_signed_in_says_both_and_leads_to_the_sign_in_page() -> None:
    failure = Result.failure(AuthError(AuthErrorCode.STORE_ERROR))
    browser = Browser()
    with mock.patch("rix_auth.service.Auth.start_session", return_value=failure):
        response = browser.submit(REGISTER, email=EMAIL, password=PASSWORD)
    assert (response.status_code, response["Location"]) == (302, SIGN_IN) and "rix_session" not in response.cookies
    page = browser.page(SIGN_IN)
    assert "Account created." in page and "The session store is unavailable; try again later." in page
    assert get_user_model().objects.filter(email=EMAIL).exists() and not SessionRow.objects.exists()


def test_signing_in_and_out(account: None) -> None:
    browser = Browser()
    assert browser.sign_in()["Location"] == DEVICES
    assert SessionRow.objects.filter(revoked_at__isnull=True).count() == 1
    response = browser.submit(SIGN_OUT)
    assert (response.status_code, response["Location"]) == (302, SIGN_IN)
    assert response.cookies["rix_session"].value == ""  # cleared
    assert not SessionRow.objects.filter(revoked_at__isnull=True).exists()
    page = browser.page(SIGN_IN)
    assert "You are signed out." in page and "You were signed out on this device." not in page
    assert browser.get(DEVICES)["Location"] == f"{SIGN_IN}?next=/account/devices/"


def test_a_wrong_password_keeps_the_email_shows_the_services_message_and_never_the_password(account: None) -> None:
    response = Browser().submit(SIGN_IN, email=EMAIL, password="wrong-password")
    page = response.content.decode()
    assert response.status_code == 400 and "rix_session" not in response.cookies
    assert "The email or password is incorrect." in page
    assert f'value="{EMAIL}"' in page and "wrong-password" not in page


@pytest.mark.parametrize(
    ("email", "password", "message", "field"),
    [
        (EMAIL, "another-password", "An account with this email already exists; log in instead.", "email"),
        ("ada@example.com", "short", "This password is too short. It must contain at least 8 characters.", None),
        ("not-an-email", PASSWORD, "Enter a valid email address.", "email"),
    ],
)
def test_a_refused_registration_says_why_and_keeps_the_email(
    account: None, email: str, password: str, message: str, field: str | None
) -> None:
    response = Browser().submit(REGISTER, email=email, password=password)
    page = response.content.decode()
    assert response.status_code == 400 and message in page and f'value="{email}"' in page
    assert response.context["form"].errors[field or "__all__"] == [message]
    assert get_user_model().objects.count() == 1


def test_every_form_needs_its_csrf_token(account: None) -> None:
    browser = Browser()
    assert browser.post(SIGN_IN, {"email": EMAIL, "password": PASSWORD}).status_code == 403
    assert browser.post(REGISTER, {"email": "ada@example.com", "password": PASSWORD}).status_code == 403
    browser.sign_in()
    assert browser.post(SIGN_OUT).status_code == 403
    assert SessionRow.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("url", [SIGN_OUT, EVERYWHERE, "/account/devices/pub_unknown/sign-out/"])
def test_opening_a_forms_address_goes_to_its_page_instead_of_a_blank_405(account: None, url: str) -> None:
    browser = Browser()
    browser.sign_in()
    response = browser.get(url)
    assert (response.status_code, response["Location"]) == (302, DEVICES)
    assert browser.put(url, headers={"X-CSRFToken": browser.cookies["csrftoken"].value}).status_code == 405
    assert SessionRow.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.parametrize("target", ["/admin/", "/account/devices/?sort=1"])
def test_next_on_this_site_is_where_signing_in_goes(account: None, target: str) -> None:
    browser = Browser()
    page = browser.page(f"{SIGN_IN}?next={target}")
    assert "/account/register/?next=" in page  # carried on to the other form
    response = browser.submit(f"{SIGN_IN}?next={target}", email=EMAIL, password=PASSWORD)
    assert response["Location"] == target
    assert browser.get(f"{SIGN_IN}?next={target}")["Location"] == target  # already signed in: straight there


@pytest.mark.parametrize(
    "target", ["//evil.com", "https://evil.com", "/\\evil.com", "http://testserver/", "javascript:x"]
)
def test_next_to_another_site_or_down_to_http_is_refused(account: None, target: str) -> None:
    browser = Browser()
    response = browser.post(
        f"{SIGN_IN}?next={target}",
        {"email": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
        secure=True,
        headers={"Referer": "https://testserver/"},
    )
    assert (response.status_code, response["Location"]) == (302, DEVICES)


def test_a_throttled_sign_in_answers_429_with_the_services_message(
    account: None, settings: Any, clock: ManualClock
) -> None:
    """The clock stands 20 s into a minute, so the attempts share one window, which ends in 40 s."""
    settings.RIX_AUTH = {"PRESET": "development", "THROTTLE_LOGIN_PER_EMAIL_IP": (2, 60)}
    clock.advance(20)
    browser = Browser()
    for _ in range(2):
        assert browser.submit(SIGN_IN, email=EMAIL, password="wrong-password").status_code == 400
    response = browser.submit(SIGN_IN, email=EMAIL, password=PASSWORD)
    assert (response.status_code, response["Retry-After"]) == (429, "41")
    page = response.content.decode()
    assert "Too many attempts; try again in 41 seconds." in page and f'value="{EMAIL}"' in page


def test_a_store_outage_during_sign_in_answers_503_and_a_clear_message(account: None) -> None:
    browser = Browser()
    with connection.execute_wrapper(outage):
        response = browser.submit(SIGN_IN, email=EMAIL, password=PASSWORD)
    assert response.status_code == 503 and "rix_session" not in response.cookies
    assert "The session store is unavailable; try again later." in response.content.decode()


def test_a_site_overrides_one_template_and_keeps_the_others(account: None, settings: Any, tmp_path: Path) -> None:
    (tmp_path / "rix_auth").mkdir()
    (tmp_path / "rix_auth" / "sign_in.html").write_text(
        '{% extends "rix_auth/base.html" %}{% block title %}Welcome back{% endblock %}'
        "{% block content %}<p>Our own sign-in page</p>{{ form }}{% endblock %}"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    page = Browser().page(SIGN_IN)
    assert "<title>Welcome back</title>" in page and "Our own sign-in page" in page
    assert 'name="viewport"' in page  # the shipped base still wraps it
    assert "<h1>Create an account</h1>" in Browser().page(REGISTER)


def test_only_staff_see_the_link_to_the_admin(account: None) -> None:
    browser = Browser()
    browser.sign_in()
    assert "/admin/" not in browser.page(DEVICES)
    get_user_model().objects.filter(email=EMAIL).update(is_staff=True)
    assert 'href="/admin/"' in browser.page(DEVICES)


def test_signing_out_also_ends_a_django_login_of_the_same_browser(account: None) -> None:
    """The admin's own login (Django's session) must not outlive a sign-out on these pages."""
    user = get_user_model().objects.get(email=EMAIL)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    browser = Browser()
    browser.force_login(user)  # a Django session, as the admin's login page makes
    browser.sign_in()
    assert browser.get("/admin/").status_code == 200
    assert browser.submit(SIGN_OUT).status_code == 302
    assert browser.get("/admin/").status_code == 302  # to the admin's login page
