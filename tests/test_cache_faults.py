"""Redis down or hanging: requests read the database, nothing fails open, and it recovers alone.

Redis is reached through a loopback proxy that the tests stop, stall and restart mid-traffic.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from rix_auth.conf import get_auth
from rix_auth.ratelimited_log import RateLimitedLog
from rix_auth.stores.cached import CachedSessionStore
from scripts.redis_counting import cache_settings
from scripts.tcp_proxy import TcpProxy
from tests.cache_support import drop_keys, redis_reachable, use_session_cache
from tests.conftest import bearer

pytestmark = pytest.mark.django_db(transaction=True)
TIMEOUT = 0.02  # seconds: the cache's socket timeouts


class Monotonic:
    """The guard's clock: moved by hand, so that waiting for a retry takes no time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def proxy(settings: Settings) -> Iterator[TcpProxy]:
    if not redis_reachable():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    through = TcpProxy(6379).start()
    cache = cache_settings(f"redis://127.0.0.1:{through.port}/0", timeout=TIMEOUT)
    use_session_cache(settings, cache)
    yield through
    through.stop()
    drop_keys(cache["KEY_PREFIX"])


@pytest.fixture
def guard_clock(proxy: TcpProxy) -> Monotonic:
    """The configured store's guard reads this clock and logs through a fresh once-a-minute log."""
    store = get_auth().sessions
    assert isinstance(store, CachedSessionStore)
    clock = Monotonic()
    store.versions.guard.clock, store.versions.guard.sleep = clock, clock.sleep
    store.versions.guard.log = RateLimitedLog(logging.getLogger("rix_auth"), clock=clock)
    return clock


def whoami(client: Client, session_id: str) -> Any:
    return client.get("/whoami-plain/", headers=bearer(session_id))


def test_while_redis_is_down_requests_read_the_database_and_the_cache_serves_again_after(
    client: Client, bearer_login: Callable[..., str], proxy: TcpProxy, guard_clock: Monotonic,
    django_assert_num_queries: DjangoAssertNumQueries, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    session_id = bearer_login()
    user_id = whoami(client, session_id).json()["user_id"]
    proxy.stop()
    with caplog.at_level(logging.WARNING, logger="rix_auth"):
        for _ in range(5):
            with django_assert_num_queries(1):
                assert whoami(client, session_id).json() == {"user_id": user_id, "error": None}
            guard_clock.now += 2  # retries, each failing again
    warnings = [r.getMessage() for r in caplog.records if "session cache failed" in r.getMessage()]
    assert warnings == ["rix_auth: the session cache failed (ConnectionError); sessions are read from the database"]
    proxy.start()
    guard_clock.now += 2
    assert whoami(client, session_id).json()["user_id"] == user_id  # recovers: a new generation, then a refill
    with django_assert_num_queries(0):
        assert whoami(client, session_id).json()["user_id"] == user_id


def test_a_hanging_redis_costs_one_timeout_per_retry_period(
    client: Client, bearer_login: Callable[..., str], proxy: TcpProxy, guard_clock: Monotonic
) -> None:
    session_id = bearer_login()
    user_id = whoami(client, session_id).json()["user_id"]
    proxy.stall()
    started = time.perf_counter()
    for _ in range(20):
        assert whoami(client, session_id).json()["user_id"] == user_id
    assert time.perf_counter() - started < 20 * TIMEOUT  # one timeout, then the database straight away


def test_a_logout_while_redis_is_down_still_holds_when_redis_comes_back(
    client: Client, bearer_login: Callable[..., str], proxy: TcpProxy, guard_clock: Monotonic
) -> None:
    """The entry from before the outage is still in Redis, with its old version token: the
    generation renewed on recovery voids it."""
    session_id = bearer_login()
    assert whoami(client, session_id).json()["error"] is None
    proxy.stop()
    assert client.post("/auth/logout/", headers=bearer(session_id)).status_code == 200
    proxy.start()
    guard_clock.now += 2
    assert whoami(client, session_id).json() == {"user_id": None, "error": "session_revoked"}


def test_a_worker_that_saw_no_outage_refuses_too_for_the_generation_lapsed_meanwhile(
    client: Client, bearer_login: Callable[..., str], proxy: TcpProxy
) -> None:
    """The logout cannot reach Redis, so it returns only once the generation's lease has run out
    there (Redis's own clock: this test waits that second). No worker could renew it meanwhile,
    so even one that saw no failure finds every older entry void when Redis is back."""
    writer = get_auth().sessions
    assert isinstance(writer, CachedSessionStore)
    writer.versions.lease_seconds = 1
    session_id = bearer_login()
    assert whoami(client, session_id).json()["error"] is None  # cached, under a one-second generation
    idle = CachedSessionStore(writer.inner, writer.cache_alias, lease_seconds=1)  # another worker
    proxy.stop()
    started = time.monotonic()
    assert client.post("/auth/logout/", headers=bearer(session_id)).status_code == 200
    assert time.monotonic() - started >= 1
    proxy.start()
    found = idle.get(_digest(session_id))
    assert found is not None and found.revoked


def _digest(session_id: str) -> str:
    from rix_auth import tokens

    return tokens.digest(session_id)
