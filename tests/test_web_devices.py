"""rix_auth.web: "your devices", ending one of them, and signing out everywhere."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from pytest_django import DjangoAssertNumQueries

import rix_auth
from rix_auth.clock import ManualClock
from rix_auth.conf import get_auth
from rix_auth.error import AuthError, AuthErrorCode
from rix_auth.models import Session as SessionRow
from rix_auth.result import Result
from tests.conftest import EMAIL, PASSWORD
from tests.web import CHROME, DEVICES, EVERYWHERE, FIREFOX, SIGN_IN, SIGN_OUT, Browser, outage

pytestmark = pytest.mark.django_db
SIGNED_OUT_HERE = "You were signed out on this device."


@pytest.fixture(autouse=True)
def _pages(settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.web"


@pytest.fixture
def laptop(clock: ManualClock) -> Browser:
    assert rix_auth.database().register_user(EMAIL, PASSWORD).ok
    browser = Browser(CHROME)
    browser.sign_in()
    return browser


@pytest.fixture
def phone(laptop: Browser, clock: ManualClock) -> Browser:
    clock.advance(60)
    browser = Browser(FIREFOX)
    browser.sign_in()
    return browser


def handle_of(user_agent: str) -> str:
    return str(SessionRow.objects.get(user_agent=user_agent).public_id)


def rows(page: str) -> list[str]:
    """Each session's row, tags stripped and spaces squeezed."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]


def live() -> int:
    return SessionRow.objects.filter(revoked_at__isnull=True).count()


def test_every_live_session_is_listed_by_device_name_this_device_first_and_marked(
    laptop: Browser, phone: Browser, clock: ManualClock
) -> None:
    user_id = SessionRow.objects.values_list("user_id", flat=True).first()
    assert get_auth().start_session(user_id, user_agent="curl/8.5.0").ok  # type: ignore[arg-type]
    assert get_auth().revoke_session(handle_of("curl/8.5.0"), reason="admin").ok  # ended: not listed
    assert rows(laptop.page(DEVICES)) == [
        "Chrome 120 on Linux This device Jan. 1, 2030, midnight Jan. 1, 2030, midnight 127.0.0.1 Sign out",
        "Firefox 121 on Windows Jan. 1, 2030, 12:01 a.m. Jan. 1, 2030, 12:01 a.m. 127.0.0.1 "
        "Sign out Firefox 121 on Windows",  # the button names the device it signs out
    ]
    assert rows(phone.page(DEVICES))[0].startswith("Firefox 121 on Windows This device")


def test_the_page_costs_one_query_for_the_session_and_one_for_the_list(
    laptop: Browser, phone: Browser, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(2):
        laptop.page(DEVICES)


def test_signing_out_another_device_names_it_and_that_device_is_told(laptop: Browser, phone: Browser) -> None:
    response = laptop.submit(f"/account/devices/{handle_of(FIREFOX)}/sign-out/")
    assert (response.status_code, response["Location"]) == (302, DEVICES)
    page = laptop.page(DEVICES)
    assert "Signed out of Firefox 121 on Windows." in page and len(rows(page)) == 1
    arriving = phone.get(DEVICES)
    assert arriving["Location"] == f"{SIGN_IN}?next=/account/devices/"
    assert arriving.cookies["rix_session"].value == ""  # the dead cookie goes
    assert SIGNED_OUT_HERE in phone.page(SIGN_IN)
    assert SIGNED_OUT_HERE not in phone.page(SIGN_IN)  # said once


def test_a_session_that_expired_says_so(laptop: Browser, clock: ManualClock) -> None:
    clock.advance(days=8)  # past the development preset's idle timeout
    assert "Your session on this device expired; sign in again." in laptop.page(SIGN_IN)


@pytest.mark.parametrize("handle", ["other", "pub_not-a-handle", "x" * 300])
def test_a_session_of_another_account_or_no_session_at_all_is_not_signed_out(
    laptop: Browser, handle: str, clock: ManualClock
) -> None:
    if handle == "other":
        assert rix_auth.database().register_user("other@example.com", PASSWORD).ok
        Browser("Other/1.0").sign_in("other@example.com")
        handle = handle_of("Other/1.0")
    response = laptop.submit(f"/account/devices/{handle}/sign-out/")
    assert response["Location"] == DEVICES
    assert "That device is not signed in to your account." in laptop.page(DEVICES)
    assert live() == 1 + (SessionRow.objects.count() > 1)


def test_signing_out_this_device_from_its_own_row_is_a_plain_sign_out(laptop: Browser) -> None:
    response = laptop.submit(f"/account/devices/{handle_of(CHROME)}/sign-out/")
    assert response["Location"] == SIGN_IN and response.cookies["rix_session"].value == ""
    assert "You are signed out." in laptop.page(SIGN_IN) and live() == 0


@pytest.mark.parametrize("password", ["wrong-password", "other-password-5"])
def test_signing_out_everywhere_with_a_wrong_password_changes_nothing(
    laptop: Browser, phone: Browser, password: str
) -> None:
    assert rix_auth.database().register_user("other@example.com", "other-password-5").ok
    before = list(SessionRow.objects.values_list("public_id", "authenticated_at").order_by("public_id"))
    response = laptop.submit(EVERYWHERE, password=password)
    page = response.content.decode()
    assert response.status_code == 400 and "The password is incorrect." in page and "email" not in page.lower()
    assert len(rows(page)) == 2 and "rix_session" not in response.cookies
    assert list(SessionRow.objects.values_list("public_id", "authenticated_at").order_by("public_id")) == before


def test_signing_out_everywhere_needs_the_password(laptop: Browser, phone: Browser) -> None:
    response = laptop.submit(EVERYWHERE)
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert live() == 2


def test_signing_out_everywhere_ends_every_session_and_says_so(laptop: Browser, phone: Browser) -> None:
    response = laptop.submit(EVERYWHERE, password=PASSWORD)
    assert (response.status_code, response["Location"]) == (302, SIGN_IN)
    assert response.cookies["rix_session"].value == "" and live() == 0
    page = laptop.page(SIGN_IN)
    assert "Signed out everywhere." in page and SIGNED_OUT_HERE not in page
    assert SIGNED_OUT_HERE in phone.page(SIGN_IN)


def test_an_outage_while_reading_the_session_answers_503_and_keeps_the_cookie(laptop: Browser) -> None:
    for url, data in ((DEVICES, None), (SIGN_OUT, {}), (EVERYWHERE, {"password": PASSWORD})):
        with connection.execute_wrapper(outage):
            response = laptop.get(url) if data is None else laptop.submit(url, **data)
        assert response.status_code == 503, url
        assert "The session store is unavailable; try again later." in response.content.decode()
        assert "rix_session" not in response.cookies
    assert live() == 1 and laptop.page(DEVICES)


def test_signing_out_everywhere_that_cannot_revoke_says_it_failed(laptop: Browser, phone: Browser) -> None:
    failure = Result.failure(AuthError(AuthErrorCode.STORE_ERROR))
    with mock.patch("rix_auth.service.Auth.logout_user", return_value=failure):
        response = laptop.submit(EVERYWHERE, password=PASSWORD)
    assert response.status_code == 503 and "Signing out everywhere failed." in response.content.decode()
    assert "rix_session" not in response.cookies and live() == 2


def test_a_sign_out_the_store_cannot_record_keeps_the_cookie_to_try_again(laptop: Browser) -> None:
    failure = Result.failure(AuthError(AuthErrorCode.STORE_ERROR))
    with mock.patch("rix_auth.service.Auth.logout", return_value=failure):
        response = laptop.submit(SIGN_OUT)
    assert response.status_code == 503 and "Signing out failed" in response.content.decode()
    assert "rix_session" not in response.cookies and live() == 1
    assert laptop.submit(SIGN_OUT)["Location"] == SIGN_IN and live() == 0
