"""How much an authenticated request costs next to the cheapest honest alternative.

    make bench            # SQLite
    make bench-postgres   # PostgreSQL

Times full requests through Django's WSGI handler, interleaved so that
machine noise hits every path alike:

- baseline: a view that runs one hand-written indexed SELECT (the session
  row by digest) through ``connection.cursor()``, with no rix middleware;
- orm: the same lookup written as an ORM ``get()`` with a join to the user;
- rix: a view reading ``request.user_id``, authenticated by rix_auth's
  middleware from an ``Authorization: Bearer`` header.

Each round times every path back to back. The fastest round of each path is
the least disturbed by other work on the machine; the per-round ratios show
how much the comparison moves from round to round.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench_settings")

import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

import rix_auth  # noqa: E402
from rix_auth import tokens  # noqa: E402

ROUNDS, PER_ROUND = 40, 200


def request(handler: WSGIHandler, path: str, session_id: str | None) -> Callable[[], None]:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "REMOTE_ADDR": "127.0.0.1",
    }  # fmt: skip
    if session_id:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {session_id}"

    def send() -> None:
        response = handler(dict(environ), lambda status, headers, exc_info=None: lambda data: None)
        assert response.status_code == 200, response.content  # type: ignore[attr-defined]
        response.close()

    return send


def median_microseconds(send: Callable[[], None]) -> float:
    start = time.perf_counter()
    for _ in range(PER_ROUND):
        send()
    return (time.perf_counter() - start) / PER_ROUND * 1e6


def main() -> None:
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        auth = rix_auth.database()
        auth.register_user("bench@example.com", "bench-password-1")
        session_id = auth.login("bench@example.com", "bench-password-1").value.session.id
        os.environ["RIX_AUTH_BENCH_DIGEST"] = tokens.digest(session_id)
        handler = WSGIHandler()
        paths = {
            "baseline": request(handler, "/baseline/", None),
            "orm": request(handler, "/orm/", None),
            "rix": request(handler, "/rix/", session_id),
        }
        for send in paths.values():  # warm up
            median_microseconds(send)
        samples: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(ROUNDS):
            for name, send in paths.items():
                samples[name].append(median_microseconds(send))
        print(f"rix_auth request benchmark on {connection.vendor}, Python {sys.version.split()[0]}, "
              f"Django {django.get_version()}; {ROUNDS} rounds x {PER_ROUND} requests")  # fmt: skip
        print("  path       fastest round   x baseline   per-round ratio: median (quartiles)")
        fastest = {name: min(values) for name, values in samples.items()}
        for name, values in samples.items():
            ratios = [value / base for value, base in zip(values, samples["baseline"], strict=True)]
            low, mid, high = statistics.quantiles(ratios, n=4)
            print(f"  {name:<9} {fastest[name]:9.1f} us   {fastest[name] / fastest['baseline']:6.2f}x"
                  f"      {mid:.2f}x ({low:.2f}-{high:.2f})")  # fmt: skip
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
