"""Cookie transport: HttpOnly, SameSite, CSRF on every unsafe request it authenticates."""

from __future__ import annotations

import pytest
from django.test import Client

from rix_auth.clock import ManualClock
from tests.conftest import EMAIL, PASSWORD, bearer

pytestmark = pytest.mark.django_db
LOGIN = {"email": EMAIL, "password": PASSWORD, "cookie": True}


@pytest.fixture
def browser(registered: object) -> Client:
    return Client(enforce_csrf_checks=True)


def csrf_token(browser: Client) -> str:
    return browser.get("/auth/csrf/").json()["csrf_token"]


def cookie_login(browser: Client) -> None:
    headers = {"X-CSRFToken": csrf_token(browser)}
    response = browser.post("/auth/login/", LOGIN, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content


def test_a_cookie_login_without_a_csrf_token_is_refused(browser: Client) -> None:
    response = browser.post("/auth/login/", LOGIN, content_type="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "csrf_failed")
    assert "rix_session" not in response.cookies


def test_a_cookie_login_sets_an_httponly_lax_cookie_and_keeps_the_id_out_of_the_body(browser: Client) -> None:
    token = csrf_token(browser)
    response = browser.post("/auth/login/", LOGIN, content_type="application/json", headers={"X-CSRFToken": token})
    cookie = response.cookies["rix_session"]
    assert cookie.value.startswith("session_")
    assert (cookie["httponly"], cookie["samesite"], cookie["path"]) == (True, "Lax", "/")
    assert "session_id" not in response.json() and cookie.value not in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_cookie_reads_work_and_vary_on_cookie_privately(browser: Client) -> None:
    cookie_login(browser)
    response = browser.get("/auth/session/")
    assert response.status_code == 200
    assert "Cookie" in response["Vary"] and "private" in response["Cache-Control"]


def test_an_unsafe_cookie_request_without_the_csrf_token_is_refused(browser: Client) -> None:
    cookie_login(browser)
    for path in ("/auth/refresh/", "/auth/logout/", "/auth/logout-all/"):
        response = browser.post(path)
        assert (response.status_code, response.json()["error"]["code"]) == (403, "csrf_failed"), path
    assert browser.get("/auth/session/").status_code == 200  # nothing was logged out


def test_an_unsafe_cookie_request_with_the_csrf_token_passes(browser: Client) -> None:
    cookie_login(browser)
    token = browser.cookies["csrftoken"].value
    assert browser.post("/auth/refresh/", headers={"X-CSRFToken": token}).status_code == 200
    logout = browser.post("/auth/logout/", headers={"X-CSRFToken": token})
    assert logout.status_code == 200
    assert logout.cookies["rix_session"]["max-age"] == 0


def test_bearer_requests_need_no_csrf_token(browser: Client) -> None:
    response = browser.post("/auth/login/", {"email": EMAIL, "password": PASSWORD}, content_type="application/json")
    session_id = response.json()["session_id"]
    assert browser.post("/auth/refresh/", headers=bearer(session_id)).status_code == 200
    whoami = browser.get("/auth/session/", headers=bearer(session_id))
    assert "Authorization" in whoami["Vary"] and "private" in whoami["Cache-Control"]
    assert browser.post("/auth/logout/", headers=bearer(session_id)).status_code == 200


def test_a_dead_cookie_is_cleared(browser: Client, clock: ManualClock) -> None:
    cookie_login(browser)
    clock.advance(days=8)
    response = browser.get("/auth/session/")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "session_expired")
    assert response.cookies["rix_session"]["max-age"] == 0


def test_production_uses_a_secure_host_prefixed_cookie(browser: Client, settings) -> None:
    settings.RIX_AUTH = {"PRESET": "production"}
    token = csrf_token(browser)
    headers = {"X-CSRFToken": token, "Referer": "https://testserver/"}  # HTTPS CSRF checks the referer too
    response = browser.post("/auth/login/", LOGIN, content_type="application/json", headers=headers, secure=True)
    cookie = response.cookies["__Host-rix_session"]
    assert (cookie["secure"], cookie["httponly"], cookie["path"], cookie["domain"]) == (True, True, "/", "")


def test_a_database_outage_keeps_the_cookie(browser: Client) -> None:
    from django.db import OperationalError, connection

    cookie_login(browser)

    def refuse(execute, sql, params, many, context):
        raise OperationalError("the database went away")

    with connection.execute_wrapper(refuse):
        response = browser.get("/auth/session/")
    assert (response.status_code, response.json()["error"]["code"]) == (503, "store_error")
    assert "rix_session" not in response.cookies
    assert browser.get("/auth/session/").status_code == 200


def test_sliding_refresh_moves_the_cookie_expiry_along(browser: Client, clock: ManualClock) -> None:
    cookie_login(browser)
    clock.advance(days=6)
    response = browser.get("/auth/session/")
    assert response.cookies["rix_session"]["max-age"] == 7 * 24 * 60 * 60
    clock.advance(60)
    assert browser.get("/auth/session/").cookies.get("rix_session") is None  # not again within the interval


def test_a_multipart_body_on_a_cookie_request_is_415_not_a_500(browser: Client) -> None:
    """The CSRF check reads a multipart stream for its form field; the view must not read it again."""
    cookie_login(browser)
    form = {**LOGIN, "cookie": "true", "csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    for path in ("/auth/login/", "/auth/register/"):
        response = browser.post(path, form)  # multipart/form-data, the test client's default
        assert (response.status_code, response.json()["error"]["code"]) == (415, "unsupported_media_type"), path
    assert browser.get("/auth/session/").status_code == 200


def test_a_form_body_the_csrf_check_cannot_parse_is_a_json_400(browser: Client) -> None:
    """Django's own answer would be an HTML 400; a multipart type without its boundary is unparseable."""
    cookie_login(browser)
    for path in ("/auth/refresh/", "/auth/login/"):
        response = browser.generic("POST", path, b"--x--", content_type="multipart/form-data")
        assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_input"), path


@pytest.mark.parametrize("charset", ["utf-16", "latin-1"])
def test_a_form_body_in_another_charset_is_a_json_400(browser: Client, charset: str) -> None:
    """Django refuses to decode a urlencoded body that is not UTF-8 (``BadRequest``) when the CSRF
    check looks for its token field: a JSON 400 too, never a 500."""
    cookie_login(browser)
    for path in ("/auth/logout/", "/auth/refresh/", "/auth/logout-all/"):
        response = browser.generic(
            "POST", path, b"a=b", content_type=f"application/x-www-form-urlencoded; charset={charset}"
        )
        assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_input"), path
    assert browser.get("/auth/session/").status_code == 200


def test_a_cookie_login_rotates_the_csrf_token_and_ends_the_session_the_browser_had(browser: Client) -> None:
    cookie_login(browser)
    first = browser.cookies["rix_session"].value
    token_before = browser.cookies["csrftoken"].value
    response = browser.post("/auth/login/", LOGIN, content_type="application/json",
                            headers={"X-CSRFToken": csrf_token(browser)})  # fmt: skip
    assert response.status_code == 200
    assert browser.cookies["csrftoken"].value != token_before
    assert browser.cookies["rix_session"].value != first
    assert Client().get("/auth/session/", headers=bearer(first)).json()["error"]["code"] == "session_revoked"
