"""A real ASGI server on loopback: uvicorn serves the tests' project, urllib speaks HTTP to it.

The server runs in a thread of this process, so it shares the test database:
on SQLite the in-memory test database is shared-cache (what Django's
LiveServerThread relies on), on PostgreSQL it is an ordinary database. Each
test is transactional, so the server's threads see the rows it commits.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from typing import Any

import pytest
import uvicorn
from django.test import modify_settings

from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD, bearer

pytestmark = pytest.mark.django_db(transaction=True)
STARTUP_SECONDS = 10.0
REQUEST_SECONDS = 10.0
SHUTDOWN_SECONDS = 10.0


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: Message

    def cookies(self) -> SimpleCookie:
        jar = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return jar


class LoopbackClient:
    """urllib against one base URL: JSON in and out, every status returned (never raised), no proxy."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", path, None, headers)

    def post(self, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Reply:
        return self.request("POST", path, body, headers)

    def request(self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str] | None) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if data is not None else {}
        request = urllib.request.Request(  # noqa: S310 (the URL is our own loopback server)
            self.base_url + path, data=data, method=method, headers={**sent, **(headers or {})}
        )
        try:
            with self._opener.open(request, timeout=REQUEST_SECONDS) as response:
                return Reply(response.status, json.loads(response.read()), response.headers)
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, json.loads(error.read()), error.headers)


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """uvicorn serving Django's ASGI handler on 127.0.0.1, in a thread, for this module's tests."""
    from tests.asgi import application  # builds the handler: only once Django is set up

    # Port 0: the OS picks a free port as it binds, so no other process can take it first.
    config = uvicorn.Config(application, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        thread.join(timeout=0.01)  # waits a moment, and notices a server that died on startup
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail("uvicorn did not start")
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        with modify_settings(ALLOWED_HOSTS={"append": host}):  # as LiveServerTestCase does
            yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=SHUTDOWN_SECONDS)
        assert not thread.is_alive(), "uvicorn did not shut down"


@pytest.fixture
def http(server_url: str) -> LoopbackClient:
    return LoopbackClient(server_url)


@pytest.fixture
def user_id(http: LoopbackClient) -> int:
    registered = http.post("/auth/register/", {"email": EMAIL, "password": PASSWORD})
    assert registered.status == 201, registered.body
    assert registered.body["user"]["email"] == EMAIL
    return int(registered.body["user"]["id"])


def test_a_bearer_session_lives_and_dies_over_a_real_asgi_server(http: LoopbackClient, user_id: int) -> None:
    login = http.post("/auth/login/", {"email": EMAIL, "password": PASSWORD})
    assert login.status == 200, login.body
    session_id = login.body["session_id"]
    assert "no-store" in login.headers["Cache-Control"]

    whoami = http.get("/auth/session/", bearer(session_id))
    assert (whoami.status, whoami.body["user_id"]) == (200, user_id)
    assert "Authorization" in whoami.headers["Vary"]

    async_view = http.get("/whoami-async/", bearer(session_id))
    assert (async_view.status, async_view.body) == (200, {"user_id": user_id, "email": EMAIL})

    logout = http.post("/auth/logout/", headers=bearer(session_id))
    assert (logout.status, logout.body) == (200, {"logged_out": True})
    refused = http.get("/auth/session/", bearer(session_id))
    assert (refused.status, refused.body["error"]["code"]) == (401, "session_revoked")
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_server_records_the_clients_address_and_agent_in_the_shared_database(
    http: LoopbackClient, user_id: int
) -> None:
    login = http.post("/auth/login/", {"email": EMAIL, "password": PASSWORD}, {"User-Agent": "loopback-test/1"})
    assert login.status == 200, login.body
    row = SessionRow.objects.get()  # written by the server's thread, read by the test's
    assert (row.user_id, row.public_id) == (user_id, login.body["session"]["public_id"])
    assert (row.ip, row.user_agent) == ("127.0.0.1", "loopback-test/1")


def test_a_cookie_login_over_a_real_asgi_server_authenticates_later_requests(
    http: LoopbackClient, user_id: int
) -> None:
    csrf = http.get("/auth/csrf/")
    csrf_cookie = csrf.cookies()["csrftoken"].value
    login = http.post(
        "/auth/login/",
        {"email": EMAIL, "password": PASSWORD, "cookie": True},
        {"X-CSRFToken": csrf.body["csrf_token"], "Cookie": f"csrftoken={csrf_cookie}"},
    )
    assert login.status == 200, login.body
    assert "session_id" not in login.body
    session_cookie = login.cookies()["rix_session"]
    assert session_cookie.value.startswith("session_")
    assert (session_cookie["httponly"], session_cookie["samesite"], session_cookie["path"]) == (True, "Lax", "/")

    whoami = http.get("/auth/session/", {"Cookie": f"rix_session={session_cookie.value}"})
    assert (whoami.status, whoami.body["user_id"]) == (200, user_id)
    assert "Cookie" in whoami.headers["Vary"] and "private" in whoami.headers["Cache-Control"]
    async_view = http.get("/whoami-async/", {"Cookie": f"rix_session={session_cookie.value}"})
    assert (async_view.status, async_view.body["email"]) == (200, EMAIL)


def test_a_cookie_login_without_the_csrf_token_is_refused_by_the_real_server(
    http: LoopbackClient, user_id: int
) -> None:
    login = http.post("/auth/login/", {"email": EMAIL, "password": PASSWORD, "cookie": True})
    assert (login.status, login.body["error"]["code"]) == (403, "csrf_failed")
    assert "rix_session" not in login.cookies()
