"""The example site's page works as a newcomer would use it: a browser with cookies and CSRF."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client, override_settings

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
