"""How much an authenticated request costs next to the cheapest honest alternative.

    make bench            # SQLite
    make bench-postgres   # PostgreSQL

Times full requests through Django's WSGI handler, interleaved so that
machine noise hits every path alike:

- baseline: a view that runs one hand-written indexed SELECT (the session
  row by digest) through ``connection.cursor()``, with no rix middleware;
- orm: the same lookup written as an ORM ``get()`` with a join to the user;
- rix: a view reading ``request.user_id``, authenticated by rix_auth's
  middleware from an ``Authorization: Bearer`` header;
- rix-user: a view reading ``request.user`` behind the same middleware: the
  user comes from the session's one query (the database store joins it);
- django: that same view behind django.contrib.sessions' SessionMiddleware and
  django.contrib.auth's AuthenticationMiddleware, with a logged-in Django
  session cookie (one query for the session, one for the user).

The django path gets its own middleware stack; the others share the lean one
in ``bench_settings``. Under the table, the number of queries one request of
each path runs.

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

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scripts.bench_settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

import rix_auth  # noqa: E402
from rix_auth import tokens  # noqa: E402
from rix_auth.session import UserId  # noqa: E402

ROUNDS, PER_ROUND = 40, 200
DJANGO_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]


def handler_with(middleware: list[str]) -> WSGIHandler:
    """A handler running ``middleware``: WSGIHandler loads its middleware when it is built."""
    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


def request(
    handler: WSGIHandler, path: str, session_id: str | None = None, cookie: str | None = None
) -> Callable[[], None]:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "REMOTE_ADDR": "127.0.0.1",
    }  # fmt: skip
    if session_id:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {session_id}"
    if cookie:
        environ["HTTP_COOKIE"] = cookie

    def send() -> None:
        response = handler(dict(environ), lambda status, headers, exc_info=None: lambda data: None)
        assert response.status_code == 200, response.content  # type: ignore[attr-defined]
        response.close()

    return send


def django_session_cookie(user_id: UserId) -> str:
    """A ``Cookie`` header for a Django session logged in as the user."""
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def count_queries(send: Callable[[], None]) -> int:
    with CaptureQueriesContext(connection) as queries:
        send()
    return len(queries)


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
        session = auth.login("bench@example.com", "bench-password-1").value.session
        os.environ["RIX_AUTH_BENCH_DIGEST"] = tokens.digest(session.id)
        lean = handler_with(settings.MIDDLEWARE)
        django_stack = handler_with(DJANGO_MIDDLEWARE)
        paths = {
            "baseline": request(lean, "/baseline/"),
            "orm": request(lean, "/orm/"),
            "rix": request(lean, "/rix/", session_id=session.id),
            "rix-user": request(lean, "/user/", session_id=session.id),
            "django": request(django_stack, "/user/", cookie=django_session_cookie(session.user_id)),
        }
        for send in paths.values():  # warm up
            median_microseconds(send)
        queries = {name: count_queries(send) for name, send in paths.items()}
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
        print("  queries per request: " + ", ".join(f"{name} {count}" for name, count in queries.items()))
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
