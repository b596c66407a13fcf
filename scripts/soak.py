"""Revocations against a cache-fronted store served by several processes: none may be undone.

    make soak                                   # 20,000 requests, 8 client threads, 2 workers
    python -m scripts.soak --requests 100000

Starts gunicorn (2 worker processes, ``tests.settings_cache``: PostgreSQL and Redis under a key
prefix of this run's own) and drives it from client threads: mostly authenticated reads, mixed
with logins, logouts, revocations by handle and logouts of every session of a user, all over
HTTP. A read that authenticated a session whose revocation had already returned is a
violation; the run fails unless there are none, and no response is a 5xx.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

PASSWORD = "soak-password-1"  # noqa: S105  (a throwaway account)
READY_SECONDS = 30


@dataclass
class Live:
    """A session as the driver knows it; ``revoked_at`` is when its revocation returned."""

    session_id: str = field(repr=False)
    public_id: str
    user: int
    revoked_at: float | None = None


@dataclass
class Report:
    requests: int = 0
    reads: int = 0
    authenticated: int = 0
    refused: int = 0
    revocations: dict[str, int] = field(default_factory=lambda: {"logout": 0, "handle": 0, "logout_user": 0})
    server_errors: int = 0
    violations: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        revoked = ", ".join(f"{name} {count}" for name, count in self.revocations.items())
        return (f"{self.requests} requests in {self.seconds:.1f} s ({self.requests / self.seconds:.0f}/s): "
                f"{self.reads} reads ({self.authenticated} authenticated, {self.refused} refused); "
                f"revocations: {revoked}; 5xx: {self.server_errors}; "
                f"authenticated after their revocation returned: {self.violations}")  # fmt: skip


class Client:
    """One connection per request: gunicorn's sync workers close each one."""

    def __init__(self, port: int) -> None:
        self.port = port

    def call(self, method: str, path: str, session_id: str | None = None, body: object = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if session_id:
            headers["Authorization"] = f"Bearer {session_id}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, None if body is None else json.dumps(body), headers)
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()


class Soak:
    """The shared state of the client threads; every operation records what it saw."""

    def __init__(self, port: int, *, users: int, seed: int) -> None:
        self.client = Client(port)
        self.seed = seed
        self.report = Report()
        self.sessions: list[Live] = []
        self.users = [f"soak-{uuid.uuid4().hex[:8]}-{n}@example.com" for n in range(users)]
        self.lock = threading.Lock()

    def prepare(self, per_user: int) -> None:
        for user, email in enumerate(self.users):
            status, _ = self.call("POST", "/auth/register/", body={"email": email, "password": PASSWORD})
            assert status == 201, status
            for _ in range(per_user):
                self.login(user)

    def run(self, total: int, threads: int) -> Report:
        started = time.monotonic()
        workers = [threading.Thread(target=self._loop, args=(total, self.seed * 1000 + n)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        self.report.seconds = time.monotonic() - started
        return self.report

    def _loop(self, total: int, seed: int) -> None:
        """Until the run has sent ``total`` requests: 90% reads, then logins and each kind of revocation."""
        chance = random.Random(seed)  # noqa: S311  (reproducible traffic, no secret)
        actions = [(0.90, self.read), (0.95, self.login_someone), (0.97, self.logout),
                   (0.99, self.revoke_by_handle), (1.0, self.logout_user)]  # fmt: skip
        while self.report.requests < total:
            roll = chance.random()
            next(action for limit, action in actions if roll < limit)(chance)

    def read(self, chance: random.Random) -> None:
        """A live session three times in four, else one of the most recently revoked."""
        with self.lock:
            live = [s for s in self.sessions if s.revoked_at is None]
            dead = sorted((s for s in self.sessions if s.revoked_at is not None), key=lambda s: -(s.revoked_at or 0))
            pool = live if live and (chance.random() < 0.75 or not dead) else dead[:20]
            session = chance.choice(pool)
        sent = time.monotonic()
        status, body = self.call("GET", "/whoami-plain/", session.session_id)
        with self.lock:
            self.report.reads += 1
            if status == 200 and body["user_id"] is not None:
                self.report.authenticated += 1
                revoked_before = session.revoked_at is not None and session.revoked_at < sent
                self.report.violations += revoked_before or body["user_id"] != session.user
            else:
                self.report.refused += 1

    def login_someone(self, chance: random.Random) -> None:
        self.login(chance.randrange(len(self.users)))

    def login(self, user: int) -> None:
        body = {"email": self.users[user], "password": PASSWORD}
        status, answer = self.call("POST", "/auth/login/", body=body)
        if status == 200:
            with self.lock:
                live = Live(answer["session_id"], answer["session"]["public_id"], answer["user"]["id"])
                self.sessions.append(live)

    def logout(self, chance: random.Random) -> None:
        if (session := self._live(chance)) is not None:
            status, _ = self.call("POST", "/auth/logout/", session.session_id)
            self._revoked([session], "logout", status)

    def revoke_by_handle(self, chance: random.Random) -> None:
        """One session revokes another of the same user by its public handle."""
        if (session := self._live(chance)) is None:
            return
        with self.lock:
            others = [s for s in self.sessions if s.user == session.user and s.revoked_at is None and s is not session]
        if others:
            target = chance.choice(others)
            status, _ = self.call("POST", f"/auth/sessions/{target.public_id}/revoke/", session.session_id)
            self._revoked([target], "handle", status)

    def logout_user(self, chance: random.Random) -> None:
        if (session := self._live(chance)) is None:
            return
        with self.lock:  # sessions whose login returned before this request is sent
            known = [s for s in self.sessions if s.user == session.user]
        status, _ = self.call("POST", "/auth/logout-all/", session.session_id)
        self._revoked(known, "logout_user", status)

    def _live(self, chance: random.Random) -> Live | None:
        with self.lock:
            live = [s for s in self.sessions if s.revoked_at is None]
        return chance.choice(live) if live else None

    def _revoked(self, sessions: list[Live], kind: str, status: int) -> None:
        """Only a revocation that answered 200 counts; a session raced away by another is still dead."""
        if status != 200:
            return
        returned = time.monotonic()
        with self.lock:
            self.report.revocations[kind] += 1
            for session in sessions:
                if session.revoked_at is None:
                    session.revoked_at = returned

    def call(self, method: str, path: str, session_id: str | None = None, body: object = None) -> tuple[int, Any]:
        status, answer = self.client.call(method, path, session_id, body)
        with self.lock:
            self.report.requests += 1
            self.report.server_errors += status >= 500
        return status, answer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def gunicorn(
    database: str, *, workers: int = 2, threads: int = 1, cache: bool = True, prefix: str | None = None
) -> Iterator[int]:
    """gunicorn serving ``tests.settings_cache`` on a free loopback port, until the block ends
    (sync workers; with ``threads``, threaded ones that keep connections alive)."""
    port = free_port()
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings_cache", "RIX_AUTH_SOAK_DATABASE": database,
               "RIX_AUTH_SOAK_PREFIX": prefix or f"rix-soak-{uuid.uuid4().hex[:12]}",
               "RIX_AUTH_SOAK_CACHE": "1" if cache else "0"}  # fmt: skip
    command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--workers", str(workers),
               "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--backlog", "2048",
               "django.core.wsgi:get_wsgi_application()"]  # fmt: skip
    server = subprocess.Popen(command, env=environ)  # noqa: S603  (our own command line)
    try:
        _wait_until_serving(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        _drop_keys(environ["RIX_AUTH_SOAK_PREFIX"])


def _wait_until_serving(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if Client(port).call("GET", "/whoami-plain/")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)  # not listening yet
    raise RuntimeError("gunicorn did not answer in time")


def _drop_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(os.environ.get("RIX_AUTH_SOAK_REDIS", "redis://127.0.0.1:6379/0"))
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def soak(database: str, *, requests: int, threads: int, users: int = 20, seed: int = 1) -> Report:
    with gunicorn(database) as port:
        run = Soak(port, users=users, seed=seed)
        run.prepare(per_user=3)
        return run.run(requests, threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    os.environ.setdefault("RIX_AUTH_TEST_DB_SUFFIX", "_cache_soak")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings_cache"
    import django
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    django.setup()
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        report = soak(connection.settings_dict["NAME"], requests=options.requests, threads=options.threads,
                      seed=options.seed)  # fmt: skip
    finally:
        teardown_databases(databases, verbosity=0)
    print(report)
    if report.violations or report.server_errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
