"""The README's quickstart snippets, run as written."""

from __future__ import annotations

import io
import re
import shlex
import types
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

import rix_auth
from rix_auth import checks
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD, bearer

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def snippet(name: str) -> str:
    found = re.search(rf"<!-- readme:{name} -->\n```\w+\n(.*?)```", README, re.DOTALL)
    assert found, f"README has no {name} snippet"
    return found.group(1)


def run_python(name: str) -> dict[str, object]:
    namespace: dict[str, object] = {"__name__": f"readme_{name}"}
    exec(snippet(name), namespace)  # noqa: S102  (our own README)
    return namespace


def test_the_settings_snippet_passes_every_system_check() -> None:
    values = run_python("settings")
    middleware = [m for m in values["MIDDLEWARE"] if m is not Ellipsis]  # type: ignore[attr-defined]
    assert "rix_auth" in values["INSTALLED_APPS"]  # type: ignore[operator]
    hashers = values["PASSWORD_HASHERS"]
    with override_settings(MIDDLEWARE=middleware, RIX_AUTH=values["RIX_AUTH"], PASSWORD_HASHERS=hashers):
        assert checks.check_middleware() == checks.check_settings() == checks.check_cookie() == []


@pytest.mark.django_db
def test_the_urls_and_view_snippets_serve_a_protected_view() -> None:
    urls = types.ModuleType("readme_urls")
    urls.__dict__.update(run_python("urls"))
    dashboard: Any = run_python("view")["dashboard"]
    from django.urls import path

    urls.urlpatterns.append(path("dashboard/", dashboard))
    with override_settings(ROOT_URLCONF=urls):
        client = Client()
        body = {"email": EMAIL, "password": PASSWORD}
        assert client.post("/auth/register/", body, content_type="application/json").status_code == 201
        session_id = client.post("/auth/login/", body, content_type="application/json").json()["session_id"]
        response = client.get("/dashboard/", headers=bearer(session_id))
        assert response.json() == {"user_id": rix_auth.database().authenticate_session(session_id).value.user_id}
        refused = client.get("/dashboard/")
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "invalid_session")


@pytest.mark.django_db
def test_the_command_snippets_run() -> None:
    auth = rix_auth.database()
    auth.register_user(EMAIL, PASSWORD)
    auth.login(EMAIL, PASSWORD)
    handle = SessionRow.objects.get().public_id
    for line in snippet("commands").splitlines():
        words = shlex.split(line, comments=True)
        assert words[:2] == ["python", "manage.py"]
        args = [handle if w == "0123456789abcdef" else w for w in words[2:]]
        call_command(*args, stdout=io.StringIO())
    assert SessionRow.objects.get().revoke_reason == "command"
