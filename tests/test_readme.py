"""The README's quickstart snippets, run as written."""

from __future__ import annotations

import io
import re
import shlex
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.management import call_command
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings

import rix_auth
from rix_auth import AuthError, AuthErrorCode, checks
from rix_auth.conf import settings as rix_auth_settings
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


def module(name: str, **attributes: object) -> types.ModuleType:
    made = types.ModuleType(name)
    made.__dict__.update(attributes)
    return made


@login_required
def who_am_i(request: HttpRequest) -> HttpResponse:
    """Django's own decorator, as any project has them."""
    return HttpResponse(f"{request.user.get_username()} {request.user.has_perm('auth.view_user')}")


@pytest.mark.django_db
def test_the_signin_snippet_signs_in_and_out_through_the_test_client(monkeypatch: pytest.MonkeyPatch) -> None:
    users = get_user_model()._default_manager
    grace = rix_auth.database().register_user(EMAIL, PASSWORD).value.id

    def verify_passkey(request: HttpRequest) -> Any:
        """The project's own proof, faked: the key "grace-key" proves Grace."""
        return users.filter(pk=grace).first() if request.POST.get("key") == "grace-key" else None

    monkeypatch.setitem(sys.modules, "myproject", module("myproject"))
    monkeypatch.setitem(sys.modules, "myproject.passkeys", module("myproject.passkeys", verify_passkey=verify_passkey))
    views: Any = run_python("signin")
    from django.urls import path

    routes = [path("passkey/", views["passkey_login"]), path("sign-out/", views["sign_out"]), path("me/", who_am_i)]
    urls = module("readme_signin_urls", urlpatterns=routes)
    with override_settings(ROOT_URLCONF=urls):
        client = Client()
        assert client.get("/me/").status_code == 302  # login_required sends strangers to LOGIN_URL
        assert client.post("/passkey/", {"key": "a guess"}).status_code == 401
        assert client.post("/passkey/", {"key": "grace-key"}).status_code == 302
        assert client.get("/me/").content.decode() == f"{EMAIL} False"
        assert client.post("/sign-out/").status_code == 302
        assert client.get("/me/").status_code == 302
        assert SessionRow.objects.get().revoke_reason == "logout"
        users.update(is_active=False)
        refused = client.post("/passkey/", {"key": "grace-key"})
        assert (refused.status_code, refused.content.decode()) == (403, AuthError(AuthErrorCode.USER_DISABLED).message)


@pytest.mark.django_db
def test_the_middleware_snippet_ignores_the_cookie_under_api(monkeypatch: pytest.MonkeyPatch) -> None:
    middleware = module("readme_middleware", **run_python("middleware"))
    monkeypatch.setitem(sys.modules, "readme_middleware", middleware)
    from django.urls import path

    def whoami(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(request.user_id))  # type: ignore[attr-defined]

    urls = module("readme_middleware_urls", urlpatterns=[path("api/me/", whoami), path("me/", whoami)])
    ours = "readme_middleware.BearerOnlyApiMiddleware"
    stack = [ours if m == checks.MIDDLEWARE_PATH else m for m in settings.MIDDLEWARE]
    user_id = rix_auth.database().register_user(EMAIL, PASSWORD).value.id
    session_id = rix_auth.database().login(EMAIL, PASSWORD).value.session.id
    with override_settings(ROOT_URLCONF=urls, MIDDLEWARE=stack):
        assert checks.check_middleware() == []
        client = Client()
        client.cookies[rix_auth_settings.cookie_name] = session_id
        assert client.get("/me/").content.decode() == str(user_id)
        assert client.get("/api/me/").content.decode() == "None"
        assert client.get("/api/me/", headers=bearer(session_id)).content.decode() == str(user_id)
