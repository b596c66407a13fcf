"""The async twins of Auth: the same results as the sync methods, over the memory and the database stores."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

import rix_auth
from rix_auth import Auth, AuthErrorCode, ManualClock, Result, User
from rix_auth.config import Argon2Parameters
from rix_auth.session import LoginResult, Session, SessionUse
from tests.conftest import EMAIL, PASSWORD, bearer

Code = AuthErrorCode
UNKNOWN_SESSION_ID = "session_" + "z" * 43
UNKNOWN_USER_ID = 404404
TWINS = {
    "aregister_user": "register_user",
    "alogin": "login",
    "astart_session": "start_session",
    "aauthenticate_session": "authenticate_session",
    "ause_session": "use_session",
    "arefresh_session": "refresh_session",
    "alogout": "logout",
    "alogout_user": "logout_user",
}


def cheap_memory_auth(clock: ManualClock) -> Auth:
    cheap = Argon2Parameters(time_cost=1, memory_cost_kib=8, parallelism=1)
    return rix_auth.memory(rix_auth.config.development().set_argon2_parameters(cheap), clock=clock)


@pytest.fixture
def manual_clock() -> ManualClock:
    """The Auth under test reads this clock; only the test moves it."""
    return ManualClock()


@pytest.fixture(
    params=[
        pytest.param("memory"),
        # The twins run their work in worker threads: those threads must see committed rows.
        pytest.param("database", marks=pytest.mark.django_db(transaction=True)),
    ]
)
def auth(request: pytest.FixtureRequest, manual_clock: ManualClock) -> Auth:
    if request.param == "memory":
        return cheap_memory_auth(manual_clock)
    return rix_auth.database(clock=manual_clock)


def run(coroutine: Callable[[], Any]) -> Any:
    """Drive an async test body to completion from this sync test, as Django's own tests do."""
    return async_to_sync(coroutine)()


def failed_with(result: Result[Any], code: AuthErrorCode) -> bool:
    return result.error is not None and result.error.code is code


@pytest.mark.parametrize(("twin", "method"), TWINS.items())
def test_each_async_twin_is_a_coroutine_function_named_and_documented_after_its_sync_method(
    twin: str, method: str
) -> None:
    function = getattr(Auth, twin)
    assert inspect.iscoroutinefunction(function)
    assert function.__name__ == twin
    assert f":meth:`{method}`" in function.__doc__
    assert "same result" in function.__doc__


def test_every_async_twin_walks_a_whole_session_lifecycle(auth: Auth, manual_clock: ManualClock) -> None:
    ttl = timedelta(seconds=auth.config.session_ttl_seconds)

    async def lifecycle() -> None:
        registered = await auth.aregister_user(f"  {EMAIL.upper()} ", PASSWORD)
        user = registered.value
        assert isinstance(user, User)
        assert (user.email, user.is_active) == (EMAIL, True)

        login = await auth.alogin(EMAIL, PASSWORD, ip="127.0.0.1", user_agent="pytest")
        assert isinstance(login.value, LoginResult)
        session = login.value.session
        assert login.value.user == user
        assert (session.user_id, session.ip, session.user_agent) == (user.id, "127.0.0.1", "pytest")
        assert session.id.startswith("session_")
        assert session.expires_at == manual_clock() + ttl

        authenticated = await auth.aauthenticate_session(session.id)
        assert isinstance(authenticated.value, Session)
        assert (authenticated.value.public_id, authenticated.value.user_id) == (session.public_id, user.id)

        manual_clock.advance(60)
        used = await auth.ause_session(session.id, refresh_if_idle_for=0)
        assert isinstance(used.value, SessionUse)
        assert used.value.refreshed
        assert (used.value.session.last_seen_at, used.value.session.expires_at) == (
            manual_clock(),
            manual_clock() + ttl,
        )

        manual_clock.advance(60)
        refreshed = await auth.arefresh_session(session.id)
        assert refreshed.value.expires_at == manual_clock() + ttl
        assert refreshed.value.expires_at > used.value.session.expires_at
        assert (await auth.aauthenticate_session(session.id)).value == refreshed.value  # what the store now holds

        started = await auth.astart_session(user.id, user_agent="passkey")
        assert started.value.user == user
        assert (started.value.session.user_id, started.value.session.user_agent) == (user.id, "passkey")
        assert started.value.session.public_id != session.public_id

        assert await auth.alogout(session.id) == Result.success(None)
        after_logout = await auth.aauthenticate_session(session.id)
        assert failed_with(after_logout, Code.SESSION_REVOKED)
        assert (await auth.aauthenticate_session(started.value.session.id)).ok  # the other session lives on

        logged_out = await auth.alogout_user(user.id)
        assert logged_out.value == 1  # the started session; the first was already revoked
        assert failed_with(await auth.aauthenticate_session(started.value.session.id), Code.SESSION_REVOKED)

    run(lifecycle)


def test_the_async_twins_fail_exactly_as_their_sync_methods_do(auth: Auth) -> None:
    assert auth.register_user(EMAIL, PASSWORD).ok
    failing: list[tuple[str, tuple[Any, ...], dict[str, Any], AuthErrorCode]] = [
        ("register_user", (EMAIL, PASSWORD), {}, Code.USER_ALREADY_EXISTS),
        ("register_user", ("not-an-email", PASSWORD), {}, Code.INVALID_INPUT),
        ("login", (EMAIL, "wrong-password"), {}, Code.INVALID_CREDENTIALS),
        ("login", ("nobody@example.com", PASSWORD), {}, Code.INVALID_CREDENTIALS),
        ("login", (EMAIL, PASSWORD), {"ip": "not-an-ip"}, Code.INVALID_INPUT),
        ("start_session", (UNKNOWN_USER_ID,), {}, Code.USER_NOT_FOUND),
        ("authenticate_session", ("nonsense",), {}, Code.INVALID_INPUT),
        ("authenticate_session", (UNKNOWN_SESSION_ID,), {}, Code.INVALID_SESSION),
        ("use_session", (UNKNOWN_SESSION_ID,), {"refresh_if_idle_for": 0}, Code.INVALID_SESSION),
        ("refresh_session", ("nonsense",), {}, Code.INVALID_INPUT),
        ("logout", ("nonsense",), {}, Code.INVALID_INPUT),
        ("logout_user", (UNKNOWN_USER_ID,), {}, Code.USER_NOT_FOUND),
        ("logout_user", (UNKNOWN_USER_ID,), {"reason": "no-such-reason"}, Code.INVALID_INPUT),
    ]
    for method, args, kwargs, code in failing:
        sync = getattr(auth, method)(*args, **kwargs)
        twin = async_to_sync(getattr(auth, f"a{method}"))(*args, **kwargs)
        assert failed_with(sync, code), (method, args, sync)
        assert failed_with(twin, code), (method, args, twin)
        assert twin.error is not None and sync.error is not None
        assert twin.error.message == sync.error.message, method


def test_the_twins_do_their_work_off_the_event_loop(auth: Auth, monkeypatch: pytest.MonkeyPatch) -> None:
    assert auth.register_user(EMAIL, PASSWORD).ok
    session_id = auth.login(EMAIL, PASSWORD).value.session.id
    reads: list[int] = []
    read = auth.sessions.get

    def watched_read(digest: str) -> Session | None:
        reads.append(threading.get_ident())
        return read(digest)

    monkeypatch.setattr(auth.sessions, "get", watched_read)

    async def authenticate() -> int:
        assert (await auth.aauthenticate_session(session_id)).ok
        return threading.get_ident()

    loop_thread = run(authenticate)
    assert reads, "the store was never read"
    assert loop_thread not in reads


def test_a_plain_asyncio_script_can_use_the_memory_auth_without_django(manual_clock: ManualClock) -> None:
    auth = cheap_memory_auth(manual_clock)

    async def script() -> tuple[User, Result[Session], Result[LoginResult], Result[int], Result[Session]]:
        user = (await auth.aregister_user(EMAIL, PASSWORD)).value
        session_id = (await auth.alogin(EMAIL, PASSWORD)).value.session.id
        # Twins side by side, as an async program would issue them.
        used, started = await asyncio.gather(auth.aauthenticate_session(session_id), auth.astart_session(user.id))
        return user, used, started, await auth.alogout_user(user.id), await auth.aauthenticate_session(session_id)

    user, used, started, logged_out, after = asyncio.run(script())
    assert used.value.user_id == started.value.session.user_id == user.id
    assert logged_out.value == 2
    assert failed_with(after, Code.SESSION_REVOKED)


@pytest.mark.django_db(transaction=True)
def test_an_async_view_gets_the_sessions_user_from_request_auser() -> None:
    client = AsyncClient()

    async def visit() -> None:
        credentials = {"email": EMAIL, "password": PASSWORD}
        registered = await client.post("/auth/register/", credentials, content_type="application/json")
        assert registered.status_code == 201, registered.content
        login = await client.post("/auth/login/", credentials, content_type="application/json")
        assert login.status_code == 200, login.content
        response = await client.get("/whoami-async/", headers=bearer(login.json()["session_id"]))
        assert response.status_code == 200
        assert response.json() == {"user_id": registered.json()["user"]["id"], "email": EMAIL}
        assert "Authorization" in response["Vary"]

    run(visit)


@pytest.mark.django_db(transaction=True)
def test_an_async_view_refuses_a_revoked_session_with_401() -> None:
    client = AsyncClient()

    async def visit() -> None:
        assert (await rix_auth.get_auth().aregister_user(EMAIL, PASSWORD)).ok
        session_id = (await rix_auth.get_auth().alogin(EMAIL, PASSWORD)).value.session.id
        assert (await client.get("/whoami-async/", headers=bearer(session_id))).status_code == 200
        logout = await client.post("/auth/logout/", headers=bearer(session_id))
        assert logout.status_code == 200, logout.content
        refused = await client.get("/whoami-async/", headers=bearer(session_id))
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "session_revoked")
        assert refused["WWW-Authenticate"].startswith("Bearer")
        anonymous = await client.get("/whoami-async/")
        assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "invalid_session")

    run(visit)
