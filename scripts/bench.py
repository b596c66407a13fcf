"""How much an authenticated request costs next to the cheapest honest alternative.

    make bench            # SQLite
    make bench-postgres   # PostgreSQL
    RIX_AUTH_BENCH_PREPARED=1 make bench-postgres   # Django binding and preparing server-side for every path

Times full requests through Django's WSGI handler, interleaved so that
machine noise hits every path alike:

- baseline: a view that runs one hand-written indexed SELECT (the session
  row by digest) through ``connection.cursor()``;
- orm: the same lookup written as an ORM ``get()`` with a join to the user;
- rix: a view reading ``request.user_id``, authenticated by rix_auth's
  middleware from an ``Authorization: Bearer`` header;
- rix-user: a view reading ``request.user`` behind the same middleware: the
  user comes from the session's one query (the database store joins it);
- django: that same view behind django.contrib.sessions' SessionMiddleware and
  django.contrib.auth's AuthenticationMiddleware, with a logged-in Django
  session cookie (one query for the session, one for the user);
- drf-open: a Django REST framework ``APIView`` with no authentication class
  and ``AllowAny``: what the framework itself costs;
- drf-rix: that view with ``IsAuthenticated`` behind rix_auth's
  ``RixSessionAuthentication``, sent a bearer session id: the class reuses the
  middleware's outcome, so one query in all;
- knox: that view behind django-rest-knox's ``TokenAuthentication``, sent a
  knox token (skipped, and said so, when knox is not installed).

The django path gets its own middleware stack; the others share the lean one
in ``bench_settings``, whose rix middleware has nothing to do on the requests
that carry no session id (baseline, orm, drf-open, knox). The session table
and knox's token table each hold 100,000 rows of 10,000 users, as on a busy
site; the user holds one session and one knox token, knox's best case (it
reads all the user's tokens on each request). Under the table: the queries
one request of each path runs, and drf-rix's time as a share of knox's, for
the whole request and for authentication alone (each path less drf-open).

Each round times every path back to back. The fastest round of each path is
the least disturbed by other work on the machine; the per-round ratios show
how much the comparison moves from round to round.
"""

from __future__ import annotations

import io
import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable

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
from scripts.bench_tables import ROWS, USERS, add_sessions, add_users  # noqa: E402

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
    handler: WSGIHandler, path: str, authorization: str | None = None, cookie: str | None = None
) -> Callable[[], None]:
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "REMOTE_ADDR": "127.0.0.1",
    }  # fmt: skip
    if authorization:
        environ["HTTP_AUTHORIZATION"] = authorization
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


def microseconds_per_request(send: Callable[[], None]) -> float:
    start = time.perf_counter()
    for _ in range(PER_ROUND):
        send()
    return (time.perf_counter() - start) / PER_ROUND * 1e6


def build_paths() -> dict[str, Callable[[], None]]:
    """Each path's request, ready to send, once the tables hold their ``ROWS`` rows."""
    auth = rix_auth.database()
    auth.register_user("bench@example.com", "bench-password-1")
    session = auth.login("bench@example.com", "bench-password-1").value.session
    owners = itertools.cycle(add_users(USERS)).__next__
    add_sessions(ROWS - 1, owners)
    os.environ["RIX_AUTH_BENCH_DIGEST"] = tokens.digest(session.id)
    lean, bearer = handler_with(settings.MIDDLEWARE), f"Bearer {session.id}"
    paths = {
        "baseline": request(lean, "/baseline/"),
        "orm": request(lean, "/orm/"),
        "rix": request(lean, "/rix/", bearer),
        "rix-user": request(lean, "/user/", bearer),
        "django": request(handler_with(DJANGO_MIDDLEWARE), "/user/", cookie=django_session_cookie(session.user_id)),
        "drf-open": request(lean, "/drf/open/"),
        "drf-rix": request(lean, "/drf/rix/", bearer),
    }
    if "knox" in settings.INSTALLED_APPS:
        from scripts.bench_knox import token_among

        paths["knox"] = request(lean, "/drf/knox/", f"Token {token_among(ROWS, session.user_id, owners)}")
    return paths


def quartiles(ratios: Iterable[float]) -> str:
    low, mid, high = statistics.quantiles(list(ratios), n=4)
    return f"{mid:.2f}x ({low:.2f}-{high:.2f})"


def report(samples: dict[str, list[float]], queries: dict[str, int]) -> None:
    prepared = " (prepared statements)" if connection.settings_dict["OPTIONS"].get("prepare_threshold") else ""
    print(f"rix_auth request benchmark on {connection.vendor}{prepared}, Python {sys.version.split()[0]}, "
          f"Django {django.get_version()}; {ROUNDS} rounds x {PER_ROUND} requests, {ROWS:,} rows a table")  # fmt: skip
    print("  path       fastest round   x baseline   per-round ratio: median (quartiles)")
    fastest = {name: min(values) for name, values in samples.items()}
    for name, values in samples.items():
        ratios = (value / base for value, base in zip(values, samples["baseline"], strict=True))
        print(f"  {name:<9} {fastest[name]:9.1f} us   {fastest[name] / fastest['baseline']:6.2f}x      "
              f"{quartiles(ratios)}")  # fmt: skip
    print("  queries per request: " + ", ".join(f"{name} {count}" for name, count in queries.items()))
    if "knox" not in samples:
        print("  knox: skipped, django-rest-knox is not installed")
        return
    rix, knox, bare = samples["drf-rix"], samples["knox"], samples["drf-open"]
    whole = (r / k for r, k in zip(rix, knox, strict=True))
    alone = ((r - o) / (k - o) for r, k, o in zip(rix, knox, bare, strict=True))
    print(f"  drf-rix / knox per round: whole request {quartiles(whole)}")
    print(f"  drf-rix / knox per round, authentication alone (less drf-open): {quartiles(alone)}; "
          f"fastest rounds {min(rix) - min(bare):.1f} us / {min(knox) - min(bare):.1f} us")  # fmt: skip


def main() -> None:
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        paths = build_paths()
        for send in paths.values():  # warm up
            microseconds_per_request(send)
        queries = {name: count_queries(send) for name, send in paths.items()}
        samples: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(ROUNDS):
            for name, send in paths.items():
                samples[name].append(microseconds_per_request(send))
        report(samples, queries)
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
