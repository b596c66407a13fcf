"""The shipped pages under ``account/``, and a browser to use them, for tests/test_web_*.py."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import OperationalError
from django.test import Client
from django.urls import include, path

from tests.conftest import EMAIL, PASSWORD

urlpatterns = [
    path("account/", include("rix_auth.web.urls")),
    path("admin/", admin.site.urls),
]

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
SIGN_IN, REGISTER, DEVICES = "/account/sign-in/", "/account/register/", "/account/devices/"
SIGN_OUT, EVERYWHERE = "/account/sign-out/", "/account/sign-out-everywhere/"


class Browser(Client):
    """Cookies, a user agent, and the CSRF token a page would have put in each form."""

    def __init__(self, user_agent: str = CHROME) -> None:
        super().__init__(enforce_csrf_checks=True, headers={"User-Agent": user_agent})
        self.get(SIGN_IN)  # sets the CSRF cookie, as opening the page does

    def submit(self, url: str, **data: str) -> Any:
        return self.post(url, {**data, "csrfmiddlewaretoken": self.cookies["csrftoken"].value})

    def sign_in(self, email: str = EMAIL, password: str = PASSWORD) -> Any:
        response = self.submit(SIGN_IN, email=email, password=password)
        assert response.status_code == 302, response.content
        return response

    def page(self, url: str) -> str:
        response = self.get(url)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        return str(response.content.decode())


def outage(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    """For ``connection.execute_wrapper``: the database is gone."""
    raise OperationalError("the database went away")
