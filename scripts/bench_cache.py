"""The session cache against the database on the request path, in one run on PostgreSQL and Redis.

    make bench-cache

Times full requests through Django's WSGI handler, interleaved round by round:

- baseline: one hand-written indexed SELECT of the session row, no rix middleware;
- database: a view reading ``request.user_id`` behind rix_auth's middleware, database store;
- cached: the same view and middleware with ``RIX_AUTH["CACHE"]`` naming a Redis cache.

Under the table: SQL queries and Redis commands (and round trips) per request, counted
at steady state. Redis keys go under a prefix of this run's own and are removed afterwards.
"""

from __future__ import annotations

import os
import statistics
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

os.environ.setdefault("RIX_AUTH_TEST_DATABASE", "postgres")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scripts.bench_settings")

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import setup_databases, teardown_databases

import rix_auth
from rix_auth import tokens
from scripts.bench import PER_ROUND, count_queries, handler_with, microseconds_per_request, request
from scripts.redis_counting import cache_settings, counting
from tests.cache_support import drop_keys

ROUNDS = 30
PATHS = ("baseline", "database", "cached")


@contextmanager
def store(name: str, cache: dict[str, object]) -> Iterator[None]:
    """The path's configuration: the cached path adds the session cache."""
    if name != "cached":
        yield
        return
    with override_settings(CACHES={**settings.CACHES, "sessions": cache},
                           RIX_AUTH={**settings.RIX_AUTH, "CACHE": "sessions"}):  # fmt: skip
        yield


def per_request(send: Callable[[], None], name: str, cache: dict[str, object]) -> tuple[int, float, float]:
    """SQL queries of one request, and Redis commands and round trips per request over a round."""
    with store(name, cache):
        send()  # a new session's first read gives it a version token, the second caches it
        send()
        queries = count_queries(send)
        with counting() as sent:
            for _ in range(PER_ROUND):
                send()
    return queries, sent.commands / PER_ROUND, sent.round_trips / PER_ROUND


def main() -> None:
    # A database of this benchmark's own: another benchmark may be using rix_auth_bench.
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": "rix_auth_bench_cache"}
    databases = setup_databases(verbosity=0, interactive=False)
    cache = cache_settings(timeout=0.05, prefix=f"rix-bench-{uuid.uuid4().hex[:12]}")
    try:
        auth = rix_auth.database()
        auth.register_user("bench@example.com", "bench-password-1")
        session = auth.login("bench@example.com", "bench-password-1").value.session
        os.environ["RIX_AUTH_BENCH_DIGEST"] = tokens.digest(session.id)
        lean = handler_with(settings.MIDDLEWARE)
        sends = {"baseline": request(lean, "/baseline/"), "database": request(lean, "/rix/", f"Bearer {session.id}"),
                 "cached": request(lean, "/rix/", f"Bearer {session.id}")}  # fmt: skip
        counts = {name: per_request(send, name, cache) for name, send in sends.items()}  # also warms up
        samples: dict[str, list[float]] = {name: [] for name in PATHS}
        for _ in range(ROUNDS):
            for name, send in sends.items():
                with store(name, cache):
                    send()  # the configuration's first request builds its Auth
                    samples[name].append(microseconds_per_request(send))
        report(samples, counts)
    finally:
        drop_keys(str(cache["KEY_PREFIX"]))
        teardown_databases(databases, verbosity=0)


def report(samples: dict[str, list[float]], counts: dict[str, tuple[int, float, float]]) -> None:
    print(f"rix_auth session cache benchmark on {connection.vendor} + Redis, Python {sys.version.split()[0]}; "
          f"{ROUNDS} rounds x {PER_ROUND} requests")  # fmt: skip
    print("  path       fastest round   x baseline   per-round ratio: median   SQL/request   "
          "Redis commands (round trips)")
    fastest = {name: min(values) for name, values in samples.items()}
    for name, values in samples.items():
        ratio = statistics.median(v / b for v, b in zip(values, samples["baseline"], strict=True))
        queries, commands, trips = counts[name]
        print(f"  {name:<9} {fastest[name]:9.1f} us   {fastest[name] / fastest['baseline']:6.2f}x"
              f"      {ratio:10.2f}x   {queries:11d}   {commands:6.2f} ({trips:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
