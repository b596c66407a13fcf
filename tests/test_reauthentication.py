"""Re-authentication over HTTP: ``POST auth/reauthenticate/``, ``recent_login_required`` and
``RecentLoginRequiredMixin`` (sync and async), CSRF on cookie requests, Django's backends, the
migration that gives existing sessions an ``authenticated_at``."""

from __future__ import annotations

import inspect
import json
import sys
import types
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import AsyncClient, Client, override_settings
from django.urls import include, path
from django.views import View
from pytest_django import DjangoAssertNumQueries

import rix_auth
from rix_auth import Auth, AuthErrorCode, signals
from rix_auth.clock import ManualClock
from rix_auth.decorators import RECENT_LOGIN_SECONDS, RecentLoginRequiredMixin, recent_login_required
from rix_auth.error import DEFAULT_MESSAGES
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD, bearer
from tests.factories import Sent, sent_by, signal_log

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

REAUTHENTICATE = "/auth/reauthenticate/"
WRONG_PASSWORD = "wrong-password-never-logged"
OTHER_EMAIL, OTHER_PASSWORD = "ada@example.com", "ada-password-42"
SHORT = 60  # seconds: the mixins' max_age_seconds
MEMORY = {"PRESET": "development", "SESSION_STORE": "rix_auth.stores.memory_sessions",
          "USER_STORE": "tests.factories.memory_users"}  # fmt: skip
STALE = (403, "reauthentication_required")


# Views a project would protect: changing the email, deleting the account, ...


@recent_login_required(max_age_seconds=RECENT_LOGIN_SECONDS)
def change_email(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"user_id": request.user_id})  # type: ignore[attr-defined]


@recent_login_required
def bare(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"user_id": request.user_id})  # type: ignore[attr-defined]


@recent_login_required(max_age_seconds=SHORT)
async def async_sensitive(request: HttpRequest) -> HttpResponse:
    user: Any = await request.auser()
    return JsonResponse({"user_id": request.user_id, "email": user.email})  # type: ignore[attr-defined]


class DeleteAccount(RecentLoginRequiredMixin, View):
    max_age_seconds = SHORT

    def post(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse({"deleted": request.user_id})  # type: ignore[attr-defined]


class AsyncDeleteAccount(RecentLoginRequiredMixin, View):
    max_age_seconds = SHORT

    async def post(self, request: HttpRequest) -> HttpResponse:
        return JsonResponse({"deleted": request.user_id})  # type: ignore[attr-defined]


urlpatterns = [
    path("auth/", include("rix_auth.urls")),
    path("change-email/", change_email),
    path("bare/", bare),
    path("async-sensitive/", async_sensitive),
    path("delete-account/", DeleteAccount.as_view()),
    path("async-delete-account/", AsyncDeleteAccount.as_view()),
]
PROTECTED = {"/change-email/": RECENT_LOGIN_SECONDS, "/bare/": RECENT_LOGIN_SECONDS, "/async-sensitive/": SHORT,
             "/delete-account/": SHORT, "/async-delete-account/": SHORT}  # fmt: skip


def visit(client: Client, where: str, **headers: str) -> Response:
    """GET for the function views, POST for the class-based ones (they only take POST)."""
    method = client.post if "account" in where else client.get
    return method(where, headers=headers)


def reauthenticate(client: Client, password: str = PASSWORD, **headers: str) -> Response:
    return client.post(REAUTHENTICATE, {"password": password}, content_type="application/json", headers=headers)


def code(response: Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def row() -> SessionRow:
    (only,) = SessionRow.objects.all()
    return only


@pytest.fixture
def session_id(bearer_login: Callable[..., str]) -> str:
    return bearer_login()


# The endpoint.


def test_login_and_the_session_endpoint_show_authenticated_at_as_the_creation_time(
    client: Client, registered: object, clock: ManualClock
) -> None:
    body = {"email": EMAIL, "password": PASSWORD}
    login = client.post("/auth/login/", body, content_type="application/json").json()
    assert login["session"]["authenticated_at"] == login["session"]["created_at"] == clock().isoformat()
    clock.advance(30)
    whoami = client.get("/auth/session/", headers=bearer(login["session_id"])).json()
    assert whoami["session"]["authenticated_at"] == login["session"]["created_at"]


def test_the_right_password_moves_authenticated_at_to_now_and_answers_the_session(
    client: Client, session_id: str, clock: ManualClock
) -> None:
    created = row()
    now = clock.advance(120)  # under the sliding refresh interval: nothing else is written
    response = reauthenticate(client, **bearer(session_id))
    assert response.status_code == 200, response.content
    session = response.json()["session"]
    assert list(response.json()) == ["session"] and session_id not in response.content.decode()
    assert session["authenticated_at"] == now.isoformat()
    assert session["public_id"] == created.public_id and session["created_at"] == created.created_at.isoformat()
    stored = row()
    assert (stored.authenticated_at, stored.last_seen_at, stored.expires_at) == (
        now, created.last_seen_at, created.expires_at)  # fmt: skip
    assert client.get("/auth/session/", headers=bearer(session_id)).json()["session"]["authenticated_at"] == (
        now.isoformat())  # fmt: skip


@pytest.mark.parametrize("password", [WRONG_PASSWORD, PASSWORD.upper(), OTHER_PASSWORD])
def test_a_wrong_or_another_users_password_is_401_invalid_credentials_and_keeps_the_session(
    client: Client, session_id: str, clock: ManualClock, password: str
) -> None:
    rix_auth.get_auth().register_user(OTHER_EMAIL, OTHER_PASSWORD)
    before = row().authenticated_at
    clock.advance(120)
    response = reauthenticate(client, password, **bearer(session_id))
    assert code(response) == (401, "invalid_credentials")
    assert response.json()["error"]["message"] == "The password is incorrect."  # no email was asked for
    assert password not in response.content.decode()
    assert row().authenticated_at == before and row().revoked_at is None
    assert client.get("/auth/session/", headers=bearer(session_id)).status_code == 200  # a typo ends nothing


def test_without_a_session_it_is_401_before_the_body_is_read(client: Client, registered: object) -> None:
    refused = client.post(REAUTHENTICATE, "not even json", content_type="text/plain")
    assert code(refused) == (401, "invalid_session")
    assert code(reauthenticate(client)) == (401, "invalid_session")


@pytest.mark.parametrize("ending", ["logout", "expiry", "deactivation"])
def test_a_dead_session_cannot_reauthenticate(
    client: Client, session_id: str, clock: ManualClock, ending: str
) -> None:
    if ending == "logout":
        assert client.post("/auth/logout/", headers=bearer(session_id)).status_code == 200
    elif ending == "expiry":
        clock.advance(rix_auth.get_auth().config.session_ttl_seconds)
    else:
        get_user_model().objects.update(is_active=False)
    expected = {"logout": (401, "session_revoked"), "expiry": (401, "session_expired"),
                "deactivation": (403, "user_disabled")}[ending]  # fmt: skip
    assert code(reauthenticate(client, **bearer(session_id))) == expected
    assert row().authenticated_at == row().created_at


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (json.dumps({"password": PASSWORD}), "text/plain", (415, "unsupported_media_type")),
        (f"password={PASSWORD}", "application/x-www-form-urlencoded", (415, "unsupported_media_type")),
        (json.dumps({"password": PASSWORD}).encode("utf-16"), "application/json; charset=utf-16",
         (415, "unsupported_media_type")),
        (json.dumps({"pass": PASSWORD}), "application/json", (400, "invalid_input")),
        (json.dumps({"password": 12345678}), "application/json", (400, "invalid_input")),
        (json.dumps({"password": [PASSWORD]}), "application/json", (400, "invalid_input")),
        (json.dumps({"password": ""}), "application/json", (400, "invalid_input")),
        (json.dumps({"password": "p" * 1025}), "application/json", (400, "invalid_input")),
        (json.dumps([PASSWORD]), "application/json", (400, "invalid_input")),
        ('{"password": ' + "[" * 1000 + "]" * 1000 + "}", "application/json", (400, "invalid_input")),
        (json.dumps({"password": "x" * 20_000}), "application/json", (413, "request_too_large")),
        (b'{"password": "caf\xe9"}', "application/json", (400, "invalid_input")),
    ],
)  # fmt: skip
def test_the_body_follows_the_json_endpoints_rules(
    client: Client, session_id: str, clock: ManualClock, body: str | bytes, content_type: str, expected: tuple[int, str]
) -> None:
    clock.advance(120)
    response = client.generic("POST", REAUTHENTICATE, body, content_type=content_type, headers=bearer(session_id))
    assert code(response) == expected
    assert row().authenticated_at == row().created_at


def test_only_post_is_allowed_and_the_405_is_json(client: Client, session_id: str) -> None:
    for method in ("get", "put", "delete"):
        response = getattr(client, method)(REAUTHENTICATE, headers=bearer(session_id))
        assert code(response) == (405, "method_not_allowed") and response["Allow"] == "POST"


def test_a_cookie_request_needs_the_csrf_token(registered: object, clock: ManualClock) -> None:
    browser = Client(enforce_csrf_checks=True)
    token = browser.get("/auth/csrf/").json()["csrf_token"]
    login = {"email": EMAIL, "password": PASSWORD, "cookie": True}
    logged_in = browser.post("/auth/login/", login, content_type="application/json", headers={"X-CSRFToken": token})
    assert logged_in.status_code == 200, logged_in.content
    token = browser.cookies["csrftoken"].value  # rotated by the login
    clock.advance(120)
    forged = reauthenticate(browser)
    assert code(forged) == (403, "csrf_failed")
    assert row().authenticated_at == row().created_at
    confirmed = reauthenticate(browser, **{"X-CSRFToken": token})
    assert confirmed.status_code == 200 and confirmed.json()["session"]["authenticated_at"] == clock().isoformat()
    assert "Cookie" in confirmed["Vary"] and "private" in confirmed["Cache-Control"]
    assert "rix_session" not in confirmed.cookies  # the cookie stays as it is


# Django's auth decides: backends, signals, USERNAME_FIELD, re-hashing.


@pytest.fixture
def sent() -> Iterator[Sent]:
    with signal_log(user_logged_in, user_login_failed, signals.authentication_failed) as log:
        yield log


def test_a_wrong_password_sends_user_login_failed_masked_and_authentication_failed(
    client: Client, session_id: str, sent: Sent
) -> None:
    response = reauthenticate(client, WRONG_PASSWORD, **bearer(session_id))
    assert response.status_code == 401
    (failed,) = sent_by(sent, user_login_failed)
    assert failed["credentials"] == {"username": EMAIL, "password": "*" * 20}
    assert failed["request"] is response.wsgi_request  # the backends got the view's request
    (reported,) = sent_by(sent, signals.authentication_failed)
    assert (reported["code"], reported["operation"]) == (AuthErrorCode.INVALID_CREDENTIALS, "reauthenticate")
    assert WRONG_PASSWORD not in repr(sent) and session_id not in repr(sent)


def test_a_success_is_not_a_new_login_last_login_stays(client: Client, session_id: str, sent: Sent) -> None:
    last_login = get_user_model().objects.get().last_login
    assert reauthenticate(client, **bearer(session_id)).status_code == 200
    assert sent_by(sent, user_logged_in) == [] and sent_by(sent, user_login_failed) == []
    assert get_user_model().objects.get().last_login == last_login
    assert SessionRow.objects.count() == 1  # no new session either


@pytest.mark.parametrize(
    ("backends", "password", "status"),
    [(["tests.backends.RefuseEveryoneBackend"], PASSWORD, 401),
     (["tests.backends.MasterPasswordBackend"], "master-password-for-this-test", 200),
     (["tests.backends.MasterPasswordBackend"], PASSWORD, 401)],
    ids=["refuse everyone", "master accepts its password", "master refuses the account's"],
)  # fmt: skip
def test_the_configured_backends_decide(
    client: Client, session_id: str, backends: list[str], password: str, status: int
) -> None:
    with override_settings(AUTHENTICATION_BACKENDS=backends, TEST_MASTER_PASSWORD="master-password-for-this-test"):
        response = reauthenticate(client, password, **bearer(session_id))
    assert response.status_code == status, response.content
    assert response.wsgi_request.__dict__.get("backends_seen") == [backends[0].rsplit(".", 1)[1]]


def test_a_user_whose_username_is_not_their_email_is_checked_by_username(client: Client) -> None:
    """``authenticate()`` gets ``USERNAME_FIELD``, whatever the email says."""
    admin = get_user_model().objects.create_user(username="grace-admin", email=EMAIL, password=PASSWORD)
    get_user_model().objects.create_user(username=EMAIL, email="someone-else@example.com", password=OTHER_PASSWORD)
    session_id = rix_auth.get_auth().start_session(admin.pk).value.session.id
    assert reauthenticate(client, **bearer(session_id)).status_code == 200
    assert code(reauthenticate(client, OTHER_PASSWORD, **bearer(session_id))) == (401, "invalid_credentials")


def test_a_rehash_during_reauthentication_keeps_every_session_alive(client: Client, settings: Any) -> None:
    default_hashers = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["tests.hashers.WeakArgon2PasswordHasher"]
    auth = rix_auth.get_auth()
    user_id = auth.register_user(EMAIL, PASSWORD).value.id
    this, other = (auth.start_session(user_id).value.session.id for _ in range(2))
    weak = get_user_model().objects.get().password
    settings.PASSWORD_HASHERS = default_hashers
    assert reauthenticate(client, **bearer(this)).status_code == 200  # Django re-hashes the same password
    assert get_user_model().objects.get().password != weak
    for session_id in (this, other):
        assert client.get("/auth/session/", headers=bearer(session_id)).status_code == 200
    assert not SessionRow.objects.revoked().exists()


# recent_login_required and RecentLoginRequiredMixin.


@pytest.mark.parametrize("where", PROTECTED)
def test_a_recent_login_passes_up_to_max_age_and_then_needs_reauthentication(
    client: Client, session_id: str, clock: ManualClock, where: str
) -> None:
    max_age = PROTECTED[where]
    assert visit(client, where, **bearer(session_id)).status_code == 200
    clock.advance(max_age)
    assert visit(client, where, **bearer(session_id)).status_code == 200  # exactly max_age old: still recent
    clock.advance(1)
    refused = visit(client, where, **bearer(session_id))
    assert code(refused) == STALE
    assert refused.json()["error"]["message"] == DEFAULT_MESSAGES[AuthErrorCode.REAUTHENTICATION_REQUIRED]
    assert "WWW-Authenticate" not in refused  # the session is fine: a 403, not a 401
    assert client.get("/auth/session/", headers=bearer(session_id)).status_code == 200
    assert reauthenticate(client, **bearer(session_id)).status_code == 200
    assert visit(client, where, **bearer(session_id)).status_code == 200
    clock.advance(max_age + 1)
    assert code(visit(client, where, **bearer(session_id))) == STALE


@pytest.mark.parametrize("where", PROTECTED)
def test_without_a_usable_session_it_is_the_401_session_required_gives(
    client: Client, session_id: str, where: str
) -> None:
    assert code(visit(client, where)) == (401, "invalid_session")
    assert code(visit(client, where, **bearer("session_" + "Z" * 43))) == (401, "invalid_session")
    client.post("/auth/logout/", headers=bearer(session_id))
    assert code(visit(client, where, **bearer(session_id))) == (401, "session_revoked")


def test_refreshing_never_makes_a_login_recent(client: Client, session_id: str, clock: ManualClock) -> None:
    clock.advance(RECENT_LOGIN_SECONDS + 1)
    assert client.post("/auth/refresh/", headers=bearer(session_id)).status_code == 200
    refused = visit(client, "/change-email/", **bearer(session_id))  # the middleware's sliding refresh ran too
    assert code(refused) == STALE
    assert row().last_seen_at == clock() and row().authenticated_at == row().created_at


def test_a_failed_reauthentication_leaves_the_view_refused(client: Client, session_id: str, clock: ManualClock) -> None:
    clock.advance(RECENT_LOGIN_SECONDS + 1)
    assert reauthenticate(client, WRONG_PASSWORD, **bearer(session_id)).status_code == 401
    assert code(visit(client, "/change-email/", **bearer(session_id))) == STALE


def test_the_check_costs_no_query_beyond_the_middlewares_one(
    client: Client, session_id: str, clock: ManualClock, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_num_queries(1):  # the session joined to its user; no write
        assert visit(client, "/change-email/", **bearer(session_id)).status_code == 200
    clock.advance(RECENT_LOGIN_SECONDS + 1)
    client.get("/auth/session/", headers=bearer(session_id))  # the sliding refresh's write, out of the way
    with django_assert_num_queries(1):
        assert code(visit(client, "/change-email/", **bearer(session_id))) == STALE


@pytest.mark.parametrize("misuse", [lambda: recent_login_required(300),  # type: ignore[call-overload]
                                     lambda: recent_login_required(max_age_seconds=-1),
                                     lambda: recent_login_required(max_age_seconds="600")])  # type: ignore[call-overload]
def test_a_misused_decorator_fails_when_the_module_loads_not_on_a_request(misuse: Callable[[], object]) -> None:
    with pytest.raises(TypeError, match="max_age_seconds"):
        misuse()


def test_the_decorators_keep_the_views_name_and_kind() -> None:
    assert change_email.__name__ == "change_email" and bare.__name__ == "bare"
    assert inspect.iscoroutinefunction(async_sensitive) and not inspect.iscoroutinefunction(change_email)
    assert AsyncDeleteAccount.view_is_async and not DeleteAccount.view_is_async


@pytest.mark.django_db(transaction=True)  # the async client's views read the database from other threads
def test_async_views_under_asgi(clock: ManualClock) -> None:
    body = {"email": EMAIL, "password": PASSWORD}
    assert rix_auth.get_auth().register_user(EMAIL, PASSWORD).ok

    async def scenario() -> list[tuple[str, int]]:
        client = AsyncClient()
        login = await client.post("/auth/login/", body, content_type="application/json")
        headers = bearer(login.json()["session_id"])
        seen = []
        for where in ("/async-sensitive/", "/async-delete-account/"):
            method = client.post if "account" in where else client.get
            seen.append((where, (await method(where, headers=headers)).status_code))
            clock.advance(SHORT + 1)
            stale = await method(where, headers=headers)
            seen.append((stale.json()["error"]["code"], stale.status_code))
            confirmed = await client.post(REAUTHENTICATE, {"password": PASSWORD}, content_type="application/json",
                                          headers=headers)  # fmt: skip
            seen.append(("reauthenticated", confirmed.status_code))
            response = await method(where, headers=headers)
            seen.append((where, response.status_code))
        assert response.json() == {"deleted": login.json()["user"]["id"]}
        return seen

    assert async_to_sync(scenario)() == [
        ("/async-sensitive/", 200), ("reauthentication_required", 403), ("reauthenticated", 200),
        ("/async-sensitive/", 200),
        ("/async-delete-account/", 200), ("reauthentication_required", 403), ("reauthenticated", 200),
        ("/async-delete-account/", 200),
    ]  # fmt: skip


def test_on_memory_stores_the_whole_flow_costs_no_query(
    client: Client, settings: Any, clock: ManualClock, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    settings.RIX_AUTH = MEMORY
    body = {"email": EMAIL, "password": PASSWORD}
    with django_assert_num_queries(0):
        assert client.post("/auth/register/", body, content_type="application/json").status_code == 201
        session_id = client.post("/auth/login/", body, content_type="application/json").json()["session_id"]
        clock.advance(RECENT_LOGIN_SECONDS + 1)
        assert code(visit(client, "/change-email/", **bearer(session_id))) == STALE
        assert code(reauthenticate(client, WRONG_PASSWORD, **bearer(session_id))) == (401, "invalid_credentials")
        confirmed = reauthenticate(client, **bearer(session_id))
        assert confirmed.json()["session"]["authenticated_at"] == clock().isoformat()
        assert visit(client, "/change-email/", **bearer(session_id)).status_code == 200


# The Auth API: the async twin.


def test_areauthenticate_is_the_async_twin(registered: object, clock: ManualClock) -> None:
    auth: Auth = rix_auth.get_auth()
    session_id = auth.login(EMAIL, PASSWORD).value.session.id
    assert inspect.iscoroutinefunction(Auth.areauthenticate)
    assert Auth.areauthenticate.__name__ == "areauthenticate" and ":meth:`reauthenticate`" in str(
        Auth.areauthenticate.__doc__)  # fmt: skip
    now = clock.advance(45)
    done = async_to_sync(auth.areauthenticate)(session_id, PASSWORD, ip="203.0.113.5")
    assert done.value.authenticated_at == now == row().authenticated_at
    wrong = async_to_sync(auth.areauthenticate)(session_id, WRONG_PASSWORD)
    assert wrong.error is not None and wrong.error.code is AuthErrorCode.INVALID_CREDENTIALS


# The README's example.


def test_the_readme_reauthentication_snippet_guards_a_view(
    client: Client, session_id: str, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_readme import run_python

    views: Any = run_python("reauthentication")
    urls = types.ModuleType("readme_reauthentication_urls")
    urls.urlpatterns = [path("auth/", include("rix_auth.urls")), path("delete/", views["delete_account"]),  # type: ignore[attr-defined]
                        path("export/", views["ExportData"].as_view())]  # fmt: skip
    monkeypatch.setitem(sys.modules, urls.__name__, urls)
    with override_settings(ROOT_URLCONF=urls.__name__):
        assert client.post("/delete/", headers=bearer(session_id)).status_code == 200
        assert client.get("/export/", headers=bearer(session_id)).status_code == 200
        clock.advance(301)
        assert code(client.post("/delete/", headers=bearer(session_id))) == STALE
        assert code(client.get("/export/", headers=bearer(session_id))) == STALE
        assert reauthenticate(client, **bearer(session_id)).status_code == 200
        assert client.post("/delete/", headers=bearer(session_id)).status_code == 200


# The migration: sessions that exist already were proved when they were created.


@pytest.mark.django_db(transaction=True)
def test_migration_0003_gives_existing_sessions_their_creation_time() -> None:
    before, after = [("rix_auth", "0002_session_credential")], [("rix_auth", "0003_session_authenticated_at")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        user = old.get_model("auth", "User").objects.create(username=EMAIL, email=EMAIL, password="!")
        created = [datetime(2029, 5, day, 8, 30, tzinfo=UTC) for day in (1, 2, 3)]
        for number, moment in enumerate(created):
            old.get_model("rix_auth", "Session").objects.create(
                digest=f"{number:064x}", public_id=f"{number:016x}", user_id=user.pk, created_at=moment,
                expires_at=moment + timedelta(days=7), last_seen_at=moment + timedelta(hours=1),
            )  # fmt: skip
        executor = MigrationExecutor(connection)  # a fresh loader sees 0002 as applied
        executor.migrate(after)
        rows = SessionRow.objects.order_by("created_at").values_list("created_at", "authenticated_at")
        assert list(rows) == [(moment, moment) for moment in created]
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("rix_auth"))
