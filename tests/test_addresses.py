"""Every answer under the mount is JSON: other addresses, a forgotten slash, HEAD where GET works."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import EMAIL, PASSWORD, bearer


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_an_address_with_no_endpoint_is_a_json_404(client: Client, method: str) -> None:
    response = client.generic(method, "/auth/nonexistent/")
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "There is no endpoint at this address."}


def test_a_forgotten_slash_is_named_not_redirected(client: Client) -> None:
    """Django would redirect (a POST cannot follow) or, with DEBUG on, fail with a RuntimeError."""
    response = client.post("/auth/login", {"email": EMAIL, "password": PASSWORD}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "did you mean /auth/login/" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_head_works_wherever_get_does(client: Client) -> None:
    assert client.head("/auth/csrf/").status_code == 200
    assert client.head("/auth/openapi.json").status_code == 200
    assert client.head("/auth/session/").status_code == 401  # the same refusal GET gets


@pytest.mark.django_db
def test_head_on_a_post_only_endpoint_is_405_naming_post(client: Client) -> None:
    response = client.head("/auth/logout/")
    assert (response.status_code, response.headers["Allow"]) == (405, "POST")


@pytest.mark.django_db
def test_a_405_on_a_get_endpoint_lists_head_too(client: Client) -> None:
    response = client.post("/auth/sessions/", headers=bearer("session_" + "A" * 43))
    assert (response.status_code, response.headers["Allow"]) == (405, "GET, HEAD")
    assert response.json()["error"]["code"] == "method_not_allowed"
