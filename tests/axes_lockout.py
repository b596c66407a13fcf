"""django-axes' lockout answers ``too_many_attempts`` (run with ``--ds tests.settings_axes``, which
tests/test_throttle.py does in a subprocess; the name keeps it out of the main run)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

import rix_auth
from rix_auth.error import AuthErrorCode as Code
from tests.conftest import EMAIL, PASSWORD

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("axes" not in settings.INSTALLED_APPS, reason="needs --ds tests.settings_axes"),
]
COOL_OFF = 30 * 60


def login(client: Client, password: str, ip: str = "127.0.0.1") -> tuple[int, dict[str, object], str | None]:
    body = {"email": EMAIL, "password": password}
    response = client.post("/auth/login/", body, content_type="application/json", REMOTE_ADDR=ip)
    return response.status_code, response.json(), response.headers.get("Retry-After")


def test_the_axes_lockout_is_429_too_many_attempts_even_for_the_right_password(client: Client) -> None:
    body = {"email": EMAIL, "password": PASSWORD}
    assert client.post("/auth/register/", body, content_type="application/json").status_code == 201
    assert [login(client, "wrong-password")[0] for _ in range(2)] == [401, 401]
    status, payload, retry_after = login(client, "wrong-password")  # the third failure locks the pair out
    assert (status, payload["error"]["code"], retry_after) == (429, "too_many_attempts", str(COOL_OFF))  # type: ignore[index]
    status, payload, retry_after = login(client, PASSWORD)
    assert (status, payload["error"]["code"], retry_after) == (429, "too_many_attempts", str(COOL_OFF))  # type: ignore[index]
    assert login(client, PASSWORD, ip="192.0.2.9")[0] == 200  # axes locks (username, address) pairs here


def test_login_and_reauthentication_report_the_lockout_with_its_cool_off() -> None:
    auth = rix_auth.get_auth()
    assert auth.register_user(EMAIL, PASSWORD).ok
    session_id = auth.login(EMAIL, PASSWORD, request=RequestFactory().post("/")).value.session.id
    for _ in range(3):
        auth.login(EMAIL, "wrong-password", request=RequestFactory().post("/"))
    for refused in (
        auth.login(EMAIL, PASSWORD, request=RequestFactory().post("/")).error,
        auth.reauthenticate(session_id, PASSWORD, request=RequestFactory().post("/")).error,
    ):
        assert refused is not None
        assert (refused.code, refused.retry_after) == (Code.TOO_MANY_ATTEMPTS, COOL_OFF)
