"""rix_auth inside Django's auth framework: backends decide logins, Django's login signals
fire, and ``request.user`` is the session's user for everything that reads it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.test import AsyncClient, Client, override_settings
from pytest_django import DjangoAssertNumQueries

import rix_auth
from tests.conftest import EMAIL, PASSWORD, bearer
from tests.factories import Sent, django_user, open_session, sent_by, signal_log
from tests.hashers import QuickArgon2PasswordHasher

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
MASTER_BACKEND = "tests.backends.MasterPasswordBackend"
REFUSING_BACKEND = "tests.backends.RefuseEveryoneBackend"
DIRECTORY_BACKEND = "tests.backends.DirectoryBackend"
MASTER_PASSWORD = "master-password-for-this-test"
WRONG_PASSWORD = "wrong-password-never-logged"
MASKED = "*" * 20  # how Django's authenticate() masks a password in user_login_failed
ADA = "ada@example.com"
WITHOUT_DJANGO_AUTH = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "rix_auth.middleware.SessionMiddleware",
]


def log_in(client: Client, email: str = EMAIL, password: str = PASSWORD) -> Response:
    body = {"email": email, "password": password}
    return client.post("/auth/login/", body, content_type="application/json")


def backends_asked(response: Response) -> list[str]:
    """The backends (of ours) that received the request this response answered."""
    return response.wsgi_request.__dict__.get("backends_seen", [])


@pytest.fixture
def sent() -> Iterator[Sent]:
    with signal_log(user_logged_in, user_login_failed) as log:
        yield log


# Logins go through AUTHENTICATION_BACKENDS.


@pytest.mark.parametrize(
    ("backends", "password", "status", "asked"),
    [
        ([MODEL_BACKEND], PASSWORD, 200, []),
        ([MASTER_BACKEND], MASTER_PASSWORD, 200, ["MasterPasswordBackend"]),
        ([MASTER_BACKEND], PASSWORD, 401, ["MasterPasswordBackend"]),
        ([REFUSING_BACKEND], PASSWORD, 401, ["RefuseEveryoneBackend"]),
        ([REFUSING_BACKEND, MODEL_BACKEND], PASSWORD, 200, ["RefuseEveryoneBackend"]),
        ([MASTER_BACKEND, MODEL_BACKEND], PASSWORD, 200, ["MasterPasswordBackend"]),
    ],
    ids=["model", "master accepts its password", "master refuses the account's", "refuse everyone",
         "refuse then model", "master then model"],
)  # fmt: skip
def test_the_configured_backends_decide_who_logs_in_and_receive_the_request(
    client: Client, registered: dict[str, object], backends: list[str], password: str, status: int, asked: list[str]
) -> None:
    with override_settings(AUTHENTICATION_BACKENDS=backends, TEST_MASTER_PASSWORD=MASTER_PASSWORD):
        response = log_in(client, password=password)
    assert response.status_code == status, response.content
    assert backends_asked(response) == asked  # the very request object the view received
    if status == 200:
        whoami = client.get("/auth/session/", headers=bearer(response.json()["session_id"]))
        assert whoami.json()["user_id"] == registered["id"]
    else:
        assert response.json()["error"]["code"] == "invalid_credentials"


def test_a_backend_may_sign_in_an_account_the_email_lookup_did_not_find(client: Client) -> None:
    directory = {"ada@example.com": "directory-password"}
    with override_settings(AUTHENTICATION_BACKENDS=[DIRECTORY_BACKEND], TEST_DIRECTORY=directory):
        response = log_in(client, " Ada@Example.COM", "directory-password")  # the backend gets the canonical email
    assert response.status_code == 200, response.content
    created = get_user_model().objects.get()
    assert response.json()["user"] == {"id": created.pk, "email": ADA}
    assert client.get("/auth/session/", headers=bearer(response.json()["session_id"])).json()["user_id"] == created.pk


# Django's login signals.


def test_a_login_sends_user_logged_in_with_the_user_and_request_and_moves_last_login(
    client: Client, registered: dict[str, object], sent: Sent
) -> None:
    assert get_user_model().objects.get().last_login is None  # registering is not logging in
    response = log_in(client)
    assert response.status_code == 200
    (logged_in,) = sent_by(sent, user_logged_in)
    assert logged_in["user"].pk == registered["id"]
    assert logged_in["sender"] is get_user_model()
    assert logged_in["request"] is response.wsgi_request
    assert get_user_model().objects.get().last_login is not None
    assert sent_by(sent, user_login_failed) == []


@pytest.mark.parametrize("email", [EMAIL, "nobody@example.com"], ids=["wrong password", "unknown email"])
def test_a_failed_login_sends_user_login_failed_with_the_password_masked(
    client: Client, registered: object, sent: Sent, email: str
) -> None:
    response = log_in(client, email, WRONG_PASSWORD)
    assert response.status_code == 401
    (failed,) = sent_by(sent, user_login_failed)
    assert failed["credentials"] == {"username": email, "password": MASKED}
    assert failed["request"] is response.wsgi_request
    assert WRONG_PASSWORD not in repr(sent)
    assert sent_by(sent, user_logged_in) == []


@pytest.mark.parametrize(
    ("password", "status", "code"),
    [(PASSWORD, 403, "user_disabled"), (WRONG_PASSWORD, 401, "invalid_credentials")],
    ids=["right password", "wrong password"],
)
def test_an_inactive_account_hears_it_is_disabled_only_with_the_right_password_after_one_check(
    client: Client, registered: object, sent: Sent, monkeypatch: pytest.MonkeyPatch, password: str, status: int,
    code: str,
) -> None:  # fmt: skip
    get_user_model().objects.update(is_active=False)
    checks: list[str] = []
    verify = QuickArgon2PasswordHasher.verify

    def counted(self: QuickArgon2PasswordHasher, password: str, encoded: str) -> bool:
        checks.append(encoded)
        return verify(self, password, encoded)

    monkeypatch.setattr(QuickArgon2PasswordHasher, "verify", counted)
    response = log_in(client, password=password)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert len(checks) == 1
    (failed,) = sent_by(sent, user_login_failed)
    assert failed["credentials"] == {"username": EMAIL, "password": MASKED}
    assert password not in repr(sent)
    assert sent_by(sent, user_logged_in) == []
    assert get_user_model().objects.get().last_login is None


def test_an_inactive_account_with_a_wrong_password_looks_like_an_unknown_email(
    client: Client, registered: object
) -> None:
    get_user_model().objects.update(is_active=False)
    answers = [log_in(client, email, WRONG_PASSWORD) for email in (EMAIL, "nobody@example.com")]
    assert answers[0].status_code == answers[1].status_code == 401
    assert answers[0].json() == answers[1].json()


# request.user is the session's user, with or without Django's AuthenticationMiddleware before ours.


@pytest.fixture(params=["after Django's AuthenticationMiddleware", "without it"])
def middleware(request: pytest.FixtureRequest, settings: Any) -> None:
    """Clients made after this fixture run the chosen MIDDLEWARE."""
    if request.param == "without it":
        settings.MIDDLEWARE = WITHOUT_DJANGO_AUTH


@pytest.fixture
def grace(db: None) -> Any:
    return django_user(EMAIL)


@pytest.fixture
def ada(db: None) -> Any:
    return django_user(ADA)


@pytest.mark.parametrize(
    ("path", "shows"), [("/members/", f'{{"email": "{EMAIL}"}}'), ("/greeting/", f"Hello {EMAIL}")]
)
def test_views_reading_request_user_see_the_sessions_user_in_a_request_of_one_query(
    middleware: None, grace: Any, django_assert_num_queries: DjangoAssertNumQueries, path: str, shows: str
) -> None:
    session_id, client = open_session(grace), Client()
    with django_assert_num_queries(1):  # the session, its user's row joined; request.user costs nothing more
        response = client.get(path, headers=bearer(session_id))
    assert (response.status_code, response.content.decode()) == (200, shows)


@pytest.mark.parametrize("granted", [True, False], ids=["through a group", "not granted"])
def test_permissions_granted_through_a_group_reach_the_sessions_user(
    middleware: None, grace: Any, granted: bool
) -> None:
    if granted:
        auditors = Group.objects.create(name="auditors")
        auditors.permissions.add(Permission.objects.get(content_type__app_label="auth", codename="view_user"))
        grace.groups.add(auditors)
    client, headers = Client(), bearer(open_session(grace))
    report = client.get("/user-report/", headers=headers)
    assert report.status_code == (200 if granted else 403)
    page = client.get("/greeting/permissions/", headers=headers).content.decode()
    assert page == f"Hello {EMAIL}" + (", who may view users" if granted else "")


def test_an_async_view_awaits_the_sessions_user(middleware: None, grace: Any) -> None:
    session_id, client = open_session(grace), AsyncClient()

    async def visit() -> Any:
        return await client.get("/awaited-user/", headers=bearer(session_id))

    response = async_to_sync(visit)()
    assert response.json() == {"authenticated": True, "user": grace.pk, "user_id": grace.pk}


@pytest.mark.parametrize("refused", ["unknown", "revoked", "malformed"])
def test_a_refused_rix_id_leaves_request_user_anonymous(middleware: None, grace: Any, refused: str) -> None:
    if refused == "revoked":
        session_id = open_session(grace)
        assert rix_auth.get_auth().logout(session_id).ok
    else:
        session_id = {"unknown": "session_" + "z" * 43, "malformed": "not-a-session-id"}[refused]
    client = Client()
    response = client.get("/members/", headers=bearer(session_id))
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/members/")
    assert not response.wsgi_request.user.is_authenticated
    assert client.get("/user-report/", headers=bearer(session_id)).status_code == 302
    assert client.get("/greeting/", headers=bearer(session_id)).content.decode() == "Hello AnonymousUser"
    awaited = async_to_sync(AsyncClient().get)("/awaited-user/", headers=bearer(session_id))
    assert awaited.json() == {"authenticated": False, "user": None, "user_id": None}


@pytest.mark.parametrize("rix_session", [False, True], ids=["Django's only", "both"])
def test_a_django_session_user_stays_unless_a_rix_session_authenticates_the_request(
    client: Client, grace: Any, ada: Any, rix_session: bool
) -> None:
    client.force_login(ada)  # a Django session, read by Django's AuthenticationMiddleware
    headers = bearer(open_session(grace)) if rix_session else {}
    expected = grace if rix_session else ada
    assert client.get("/members/", headers=headers).json() == {"email": expected.email}
    browser = AsyncClient()
    browser.cookies = client.cookies  # the same Django session
    awaited = async_to_sync(browser.get)("/awaited-user/", headers=headers)
    assert awaited.json() == {"authenticated": True, "user": expected.pk, "user_id": grace.pk if rix_session else None}
