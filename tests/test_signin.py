"""Sessions for users proved some other way: ``Auth.start_session``, ``rix_auth.login`` and ``rix_auth.logout``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection, transaction
from django.test import Client, RequestFactory, override_settings

import rix_auth
from rix_auth.error import AuthErrorCode as Code
from rix_auth.models import Session as SessionRow
from rix_auth.service import Auth
from rix_auth.stores.memory import MemorySessionStore
from tests.conftest import EMAIL, PASSWORD, bearer
from tests.factories import django_user, memory_users, sent_by, signal_log
from tests.views import ONE_TIME_CODE

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db
COOKIE = "rix_session"
WITHOUT_RIX_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]


@pytest.fixture
def grace(db: None) -> Any:
    return django_user(EMAIL)


def sign_in(client: Client, *, cookie: bool = True, headers: dict[str, str] | None = None) -> Response:
    """The one-time-code view in tests/views.py: it calls ``rix_auth.login(request, user, cookie=cookie)``."""
    body = {"email": EMAIL, "code": ONE_TIME_CODE, "cookie": cookie}
    return client.post("/sign-in/code/", body, content_type="application/json", headers=headers)


def whoami(session_id: str) -> Response:
    """Ask with a fresh client, so nothing but the bearer id counts."""
    return Client().get("/auth/session/", headers=bearer(session_id))


def refuse_everything(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    raise OperationalError("the database went away")


def refuse_writes(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    if not sql.lstrip().upper().startswith("SELECT"):
        raise OperationalError("the database is read-only")
    return execute(sql, params, many, context)


# rix_auth.login


def test_a_code_sign_in_sets_an_httponly_lax_cookie_that_authenticates_later_requests(
    client: Client, grace: Any
) -> None:
    response = sign_in(client)
    assert response.status_code == 200, response.content
    cookie = response.cookies[COOKIE]
    assert cookie.value.startswith("session_")
    assert (cookie["httponly"], cookie["samesite"], cookie["path"]) == (True, "Lax", "/")
    assert cookie["max-age"] == 7 * 24 * 60 * 60
    assert "Cookie" in response["Vary"] and "private" in response["Cache-Control"]
    body = response.json()
    assert body == {"user_id": grace.pk, "user": grace.pk, "email": EMAIL, "public_id": body["public_id"],
                    "rix_session": True}  # fmt: skip
    later = client.get("/whoami-plain/")
    assert later.json() == {"user_id": grace.pk, "error": None}
    assert later.wsgi_request.rix_state.source == "cookie"  # type: ignore[attr-defined]
    assert later.wsgi_request.rix_session.public_id == body["public_id"]  # type: ignore[attr-defined]


def test_without_a_cookie_the_view_hands_out_the_session_id_which_works_as_a_bearer(client: Client, grace: Any) -> None:
    response = sign_in(client, cookie=False)
    assert response.status_code == 200
    assert COOKIE not in response.cookies
    body = response.json()
    answer = whoami(body["session_id"])
    assert answer.status_code == 200
    assert (answer.json()["user_id"], answer.json()["session"]["public_id"]) == (grace.pk, body["public_id"])


@pytest.mark.parametrize("carried_in", ["cookie", "header"])
def test_signing_in_again_revokes_the_session_the_request_already_carried(
    client: Client, grace: Any, carried_in: str
) -> None:
    if carried_in == "cookie":
        sign_in(client)
        old = client.cookies[COOKIE].value
        again = sign_in(client)
        new = again.cookies[COOKIE].value
    else:
        old = sign_in(client, cookie=False).json()["session_id"]
        again = sign_in(client, cookie=False, headers=bearer(old))
        new = again.json()["session_id"]
    assert again.status_code == 200 and new != old
    assert (whoami(old).status_code, whoami(old).json()["error"]["code"]) == (401, "session_revoked")
    assert whoami(new).status_code == 200
    assert SessionRow.objects.get(revoked_at__isnull=False).revoke_reason == "logout"


def test_a_code_sign_in_sends_user_logged_in_with_the_user_and_request(client: Client, grace: Any) -> None:
    assert grace.last_login is None
    with signal_log(user_logged_in) as sent:
        response = sign_in(client)
    (logged_in,) = sent_by(sent, user_logged_in)
    assert logged_in["user"].pk == grace.pk
    assert logged_in["request"] is response.wsgi_request
    grace.refresh_from_db()
    assert grace.last_login is not None


def test_an_inactive_user_gets_user_disabled_and_no_session(client: Client, grace: Any) -> None:
    get_user_model().objects.update(is_active=False)
    response = sign_in(client)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "user_disabled")
    assert COOKIE not in response.cookies
    assert not SessionRow.objects.exists()


def test_login_with_a_cookie_and_logout_need_the_middleware(grace: Any) -> None:
    client = Client()
    with override_settings(MIDDLEWARE=WITHOUT_RIX_MIDDLEWARE):
        with pytest.raises(ImproperlyConfigured, match=r"rix_auth\.middleware\.SessionMiddleware"):
            sign_in(client)
        with pytest.raises(ImproperlyConfigured, match=r"rix_auth\.middleware\.SessionMiddleware"):
            client.post("/sign-out/")
    assert not SessionRow.objects.exists()  # refused before any session was opened


def test_login_without_a_cookie_needs_no_middleware(rf: RequestFactory, grace: Any) -> None:
    request = rf.get("/")
    session = rix_auth.login(request, grace, cookie=False).value
    assert (request.user, request.user_id, request.rix_session) == (grace, grace.pk, session)  # type: ignore[attr-defined]
    assert async_to_sync(request.auser)() == grace
    assert whoami(session.id).json()["user_id"] == grace.pk


# rix_auth.logout


def test_logout_revokes_the_session_clears_the_cookie_and_leaves_the_request_anonymous(
    client: Client, grace: Any
) -> None:
    sign_in(client)
    session_id = client.cookies[COOKIE].value
    response = client.post("/sign-out/")
    assert response.json() == {"user_id": None, "authenticated": False}
    assert (response.cookies[COOKIE].value, response.cookies[COOKIE]["max-age"]) == ("", 0)
    assert whoami(session_id).json()["error"]["code"] == "session_revoked"


def test_logout_without_a_session_says_there_is_none(client: Client) -> None:
    response = client.post("/sign-out/")
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "invalid_session", "message": "There is no session to log out."}


@pytest.mark.parametrize("outage", [refuse_everything, refuse_writes], ids=["down", "read-only"])
def test_a_logout_during_a_database_outage_answers_store_error_and_keeps_the_cookie(
    client: Client, grace: Any, outage: Callable[..., Any]
) -> None:
    sign_in(client)
    session_id = client.cookies[COOKIE].value
    with transaction.atomic(), connection.execute_wrapper(outage):  # the failed write stays in a savepoint
        response = client.post("/sign-out/")
    assert (response.status_code, response.json()["error"]["code"]) == (503, "store_error")
    assert COOKIE not in response.cookies  # neither deleted nor replaced
    assert client.cookies[COOKIE].value == session_id
    assert client.get("/whoami-plain/").json()["user_id"] == grace.pk  # still signed in: the client can retry
    assert client.post("/sign-out/").status_code == 200


# Django's own logout (the admin's "Log out")


@pytest.fixture
def staff_grace(grace: Any) -> Any:
    grace.is_staff = True
    grace.save(update_fields=["is_staff"])
    return grace


def test_the_admins_log_out_ends_the_rix_auth_session_and_clears_its_cookie(client: Client, staff_grace: Any) -> None:
    sign_in(client)
    session_id = client.cookies[COOKIE].value
    assert client.get("/admin/").status_code == 200  # the session's user is the admin's user
    response = client.post("/admin/logout/")
    assert response.status_code == 200
    assert (response.cookies[COOKIE].value, response.cookies[COOKIE]["max-age"]) == ("", 0)
    assert whoami(session_id).json()["error"]["code"] == "session_revoked"
    assert client.get("/admin/").status_code == 302  # to the admin's login page


def test_the_admins_log_out_during_an_outage_still_clears_the_cookie(client: Client, staff_grace: Any) -> None:
    sign_in(client)
    with transaction.atomic(), connection.execute_wrapper(refuse_writes):
        response = client.post("/admin/logout/")
    assert (response.cookies[COOKIE].value, response.cookies[COOKIE]["max-age"]) == ("", 0)


def test_djangos_logout_without_a_rix_auth_session_changes_nothing(client: Client, staff_grace: Any) -> None:
    client.force_login(staff_grace)
    response = client.post("/admin/logout/")
    assert response.status_code == 200
    assert COOKIE not in response.cookies
    assert not SessionRow.objects.exists()


# Auth.start_session, on cheap memory stores


@pytest.fixture
def auth() -> Auth:
    return Auth(users=memory_users(), sessions=MemorySessionStore(), config=rix_auth.config.development())


def test_start_session_opens_a_session_that_authenticates_and_records_the_device(auth: Auth) -> None:
    user = auth.register_user(EMAIL, PASSWORD).value
    opened = auth.start_session(user.id, ip="203.0.113.9", user_agent="Phone")
    assert opened.value.user == user
    session = auth.authenticate_session(opened.value.session.id).value
    assert (session.user_id, session.ip, session.user_agent) == (user.id, "203.0.113.9", "Phone")


@pytest.mark.parametrize(
    ("user_id", "device", "code"),
    [
        ("user_0000000000000000", {}, Code.USER_NOT_FOUND),
        (None, {}, Code.USER_NOT_FOUND),
        (True, {}, Code.USER_NOT_FOUND),
        (1.5, {}, Code.USER_NOT_FOUND),
        ("registered", {"ip": "not-an-address"}, Code.INVALID_INPUT),
        ("registered", {"user_agent": None}, Code.INVALID_INPUT),
        ("inactive", {}, Code.USER_DISABLED),
    ],
)
def test_start_session_refuses_what_it_cannot_trust(
    auth: Auth, user_id: Any, device: dict[str, Any], code: Code
) -> None:
    user = auth.register_user(EMAIL, PASSWORD).value
    if user_id == "inactive":
        auth.users.set_active(user.id, False)  # type: ignore[attr-defined]
    result = auth.start_session(user.id if user_id in ("registered", "inactive") else user_id, **device)
    assert result.error is not None and result.error.code is code
    assert auth.sessions.for_user(user.id) == []


def test_start_session_obeys_the_per_user_cap(auth: Auth) -> None:
    auth.config.set_max_sessions_per_user(1)
    user = auth.register_user(EMAIL, PASSWORD).value
    first = auth.start_session(user.id).value.session.id
    second = auth.start_session(user.id).value.session.id
    assert auth.authenticate_session(first).error.code is Code.SESSION_REVOKED  # type: ignore[union-attr]
    assert auth.authenticate_session(second).ok


def test_start_session_loses_to_a_logout_of_every_session_that_ran_meanwhile(
    auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = auth.register_user(EMAIL, PASSWORD).value
    read_user = auth.users.get

    def read_then_race(user_id: Any) -> Any:
        monkeypatch.undo()  # once: logout_user reads the user too
        found = read_user(user_id)
        assert auth.logout_user(user_id).ok  # "sign out everywhere" lands mid-way through the sign-in
        return found

    monkeypatch.setattr(auth.users, "get", read_then_race)
    result = auth.start_session(user.id)
    assert result.error is not None and result.error.code is Code.SESSION_REVOKED
    assert auth.sessions.for_user(user.id) == []
