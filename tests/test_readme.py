"""The README's snippets run as written, and its tables and example output match the code."""

from __future__ import annotations

import ast
import io
import re
import shlex
import subprocess
import sys
import types
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.management import call_command
from django.db.utils import ConnectionHandler
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings

import rix_auth
from rix_auth import AuthError, AuthErrorCode, checks, http
from rix_auth.conf import KEYS, Settings
from rix_auth.conf import settings as rix_auth_settings
from rix_auth.models import Session as SessionRow
from rix_auth.stores import prepared
from tests.conftest import EMAIL, PASSWORD, bearer

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def snippet(name: str) -> str:
    found = re.search(rf"<!-- readme:{name} -->\n```\w+\n(.*?)```", README, re.DOTALL)
    assert found, f"README has no {name} snippet"
    return found.group(1)


def run_python(name: str) -> dict[str, object]:
    namespace: dict[str, object] = {"__name__": f"readme_{name}"}
    exec(snippet(name), namespace)  # noqa: S102  (our own README)
    return namespace


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


def table(heading: str) -> list[list[str]]:
    """The cells of the first table under ``heading``, header rows left out."""
    section = README.split(f"\n{heading}\n", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]]


def test_the_error_code_table_lists_every_code_with_its_status() -> None:
    listed = {code.strip("`"): int(status) for code, status, _ in table("### Error codes")}
    assert listed == {str(code): status for code, status in [*http.STATUS.items(), *http.HTTP_STATUS.items()]}


PRESET_DEPENDENT = {"PRESET", "SESSION_TTL_SECONDS", "ABSOLUTE_LIFETIME_SECONDS", "COOKIE_NAME", "COOKIE_SECURE"}


def effective(values: dict[str, object]) -> dict[str, object]:
    """What the settings accessor makes of ``RIX_AUTH = values``."""
    with override_settings(RIX_AUTH={"PRESET": "development", **values}):
        read = rix_auth_settings
        plain = [name for name, attribute in vars(Settings).items() if isinstance(attribute, cached_property)]
        seen = {name: getattr(read, name) for name in plain if name not in ("raw", "auth", "throttle")}
        limits = getattr(read.throttle, "limits", None)
        return seen | {"stores": (type(read.auth.sessions), type(read.auth.users)), "limits": limits}


def test_the_settings_table_lists_every_key_with_its_true_default() -> None:
    rows = {key: default for keys, default, _ in table("### Settings") for key in re.findall(r"`([A-Z_]+)`", keys)}
    assert set(rows) == KEYS
    for key in KEYS - PRESET_DEPENDENT:
        literal = re.fullmatch(r"`(.+)`", rows[key])
        assert literal, f"{key}: the default should be one Python literal, not {rows[key]!r}"
        assert effective({key: ast.literal_eval(literal.group(1))}) == effective({}), key


VOLATILE = [
    (re.compile(r"session_[A-Za-z0-9_-]{43}"), "session_<id>"),
    (re.compile(r"user_[0-9a-f]{16}"), "user_<id>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00"), "<time>"),
]


def normalised(output: str) -> str:
    for pattern, placeholder in VOLATILE:
        output = pattern.sub(placeholder, output)
    return output


def shown_output() -> str:
    return normalised(snippet("sessions-output"))


def test_the_sessions_example_prints_the_output_shown(capsys: pytest.CaptureFixture[str]) -> None:
    run_python("sessions-example")
    store_line, rest = shown_output().split("\n", 1)
    assert (store_line, normalised(capsys.readouterr().out)) == ("(memory store)", rest)


def test_make_demo_prints_the_output_shown() -> None:
    demo = [sys.executable, "-m", "example_project.sessions_demo", "memory"]
    done = subprocess.run(demo, cwd=REPO, capture_output=True, text=True, timeout=60, check=True)
    assert normalised(done.stdout) == shown_output()


def test_every_test_the_security_page_cites_exists() -> None:
    page = (REPO / "docs" / "security.md").read_text()
    contract = (REPO / "rix_auth" / "testing").glob("*.py")
    rules = "".join(path.read_text() for path in contract)
    cited = re.findall(r"`((?:test_\w+\.py|AuthContract))(?:::(test_\w+))?`", page)
    assert len(cited) > 20
    for module, name in cited:
        source = rules if module == "AuthContract" else (REPO / "tests" / module).read_text()
        assert not name or f"def {name}(" in source, (module, name)


@pytest.mark.parametrize(("name", "vendor"), [("database-sqlite", "sqlite"), ("database-postgres", "postgresql")])
def test_the_database_snippets_name_a_backend_django_loads(name: str, vendor: str, tmp_path: Path) -> None:
    namespace: dict[str, Any] = {"BASE_DIR": tmp_path}  # as startproject's settings.py defines it
    exec(snippet(name), namespace)  # noqa: S102  (our own README)
    connection = ConnectionHandler(namespace["DATABASES"])["default"]
    assert connection.vendor == vendor


def test_the_cache_snippet_passes_every_cache_check() -> None:
    """Pasted as written, it shares the login throttle and the session cache across workers, and
    bounds the wait for a hung Redis."""
    namespace: dict[str, Any] = {}
    exec(snippet("cache"), namespace)  # noqa: S102  (our own README)
    with override_settings(CACHES=namespace["CACHES"], RIX_AUTH=namespace["RIX_AUTH"]):
        found = checks.check_throttle_cache_is_shared() + checks.check_session_cache()
        assert found + checks.check_session_cache_is_shared() == []


def test_the_postgresql_snippet_keeps_connections_so_the_lookup_is_prepared(tmp_path: Path) -> None:
    namespace: dict[str, Any] = {"BASE_DIR": tmp_path}
    exec(snippet("database-postgres"), namespace)  # noqa: S102  (our own README)
    assert prepared.allowed(ConnectionHandler(namespace["DATABASES"])["default"])
