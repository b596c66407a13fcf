"""Throughput over HTTP: gunicorn with two workers, wrk with 16 connections, with and without the cache.

    make bench-http                                  # 3 rounds of 5 s per store, 4 threads per worker
    python -m scripts.bench_http --rounds 5 --threads 1   # sync workers

Serves ``tests.settings_cache`` (PostgreSQL; Redis under a key prefix of this run's own) twice,
with the database store and with the cache in front of it, and points wrk at a view that reads
``request.user_id`` with one session's bearer id, alternating between the two servers round by
round. Prints requests per second for each, and their ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
from contextlib import ExitStack

from rix_auth.session import LoginResult
from scripts.soak import Client, gunicorn

CONNECTIONS = 16


def wrk(port: int, session_id: str, seconds: int) -> float:
    """Requests per second that wrk reached; every response must have been a 2xx."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-H", f"Authorization: Bearer {session_id}",
               f"http://127.0.0.1:{port}/whoami-plain/"]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failed requests:\n{output}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise RuntimeError(f"no throughput in wrk's output:\n{output}")
    return float(found.group(1))


def serve(stack: ExitStack, database: str, signed_in: LoginResult, *, cache: bool, threads: int) -> int:
    """A server for one store, checked to authenticate the session; its port."""
    port = stack.enter_context(gunicorn(database, cache=cache, threads=threads))
    status, body = Client(port).call("GET", "/whoami-plain/", signed_in.session.id)
    assert (status, body["user_id"]) == (200, signed_in.user.id), body
    return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5, help="per round and store")
    parser.add_argument("--threads", type=int, default=4, help="per worker; 1: sync workers, a connection a request")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    seconds, threads = options.seconds, options.threads
    os.environ.setdefault("RIX_AUTH_TEST_DB_SUFFIX", "_cache_http")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings_cache"
    import django
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    django.setup()
    import rix_auth

    databases = setup_databases(verbosity=0, interactive=False)
    rates: dict[str, list[float]] = {"database": [], "cached": []}
    try:
        auth = rix_auth.database()
        auth.register_user("bench@example.com", "bench-password-1")
        signed_in = auth.login("bench@example.com", "bench-password-1").value
        with ExitStack() as stack:
            ports = {label: serve(stack, connection.settings_dict["NAME"], signed_in, cache=label == "cached",
                                  threads=threads) for label in rates}  # fmt: skip
            for _ in range(options.rounds):  # interleaved: a burst of load elsewhere hits both stores alike
                for label, port in ports.items():
                    rates[label].append(wrk(port, signed_in.session.id, seconds))
    finally:
        teardown_databases(databases, verbosity=0)
    report(rates, threads, seconds)


def report(rates: dict[str, list[float]], threads: int, seconds: int) -> None:
    print(f"gunicorn, 2 workers x {threads} threads; wrk, {CONNECTIONS} connections; {len(rates['cached'])} "
          f"rounds of {seconds} s per store, interleaved; GET /whoami-plain/")  # fmt: skip
    ratios = [cached / database for cached, database in zip(rates["cached"], rates["database"], strict=True)]
    for label, values in rates.items():
        print(f"  {label:<9} median {statistics.median(values):7.0f} requests/s   "
              f"(rounds: {', '.join(f'{value:.0f}' for value in values)})")  # fmt: skip
    print(f"  cached / database: median {statistics.median(ratios):.2f}x "
          f"(rounds: {', '.join(f'{ratio:.2f}' for ratio in ratios)})")  # fmt: skip


if __name__ == "__main__":
    main()
