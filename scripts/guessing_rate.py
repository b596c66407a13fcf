"""How fast one attacker can guess one account's password, with and without the login throttle.

    .venv/bin/python -m scripts.guessing_rate                # 10 seconds per scenario, SQLite
    .venv/bin/python -m scripts.guessing_rate --seconds 30
    RIX_AUTH_TEST_DATABASE=postgres .venv/bin/python -m scripts.guessing_rate

Each scenario registers grace@example.com, then posts wrong passwords to ``POST /auth/login/``
through Django's test client for the given time, one after another, and counts the answers:
401 means the password was checked (a real guess), 429 means the throttle refused it unhashed.
Then it tries the right password. Passwords are hashed with Django's own Argon2PasswordHasher
at its default cost, as in production; the throttle counts in a LocMemCache.

- no throttle: ``RIX_AUTH["THROTTLE_CACHE"] = None``, from one address;
- throttle, one address: the defaults, from one address;
- throttle, a new address per guess: the defaults, each request from another address (a botnet),
  which leaves only the per-email limit.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter
from dataclasses import dataclass

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import (  # noqa: E402
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)

from rix_auth.conf import get_auth  # noqa: E402
from rix_auth.throttle import Limit, Limits  # noqa: E402

EMAIL, PASSWORD = "grace@example.com", "correct-password-7"
REAL_COST = ["django.contrib.auth.hashers.Argon2PasswordHasher"]


@dataclass
class Outcome:
    scenario: str
    seconds: float
    statuses: Counter[int]
    right_password: int

    def row(self) -> str:
        attempts = sum(self.statuses.values())
        others = attempts - self.statuses[401] - self.statuses[429]
        return (
            f"{self.scenario:<32} {attempts:>8} {attempts / self.seconds:>10.1f} {self.statuses[401]:>8} "
            f"{self.statuses[401] / self.seconds:>10.2f} {self.statuses[429]:>8} {others:>6} {self.right_password:>8}"
        )


def guess(scenario: str, seconds: float, rix_auth: dict[str, object], *, rotate: bool) -> Outcome:
    with override_settings(RIX_AUTH={"PRESET": "development", **rix_auth}, PASSWORD_HASHERS=REAL_COST):
        caches["default"].clear()
        if get_auth().users.find_by_email(EMAIL) is None:
            assert get_auth().register_user(EMAIL, PASSWORD).ok
        client, statuses, n = Client(), Counter[int](), 0
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            n += 1
            address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" if rotate else "192.0.2.1"
            body = {"email": EMAIL, "password": f"guess-{n:08d}"}
            response = client.post("/auth/login/", body, content_type="application/json", REMOTE_ADDR=address)
            statuses[response.status_code] += 1
        body = {"email": EMAIL, "password": PASSWORD}
        last = "192.0.2.1" if not rotate else "10.255.255.255"
        right = client.post("/auth/login/", body, content_type="application/json", REMOTE_ADDR=last).status_code
        return Outcome(scenario, elapsed, statuses, right)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each scenario guesses (default 10)")
    seconds = parser.parse_args().seconds
    setup_test_environment()  # the test client's host is allowed
    if connection.vendor == "postgresql":  # beside, not over, a test run's database
        connection.settings_dict["TEST"]["NAME"] = "rix_auth_guessing"
    old = setup_databases(verbosity=0, interactive=False)
    try:
        outcomes = [
            guess("no throttle, one address", seconds, {"THROTTLE_CACHE": None}, rotate=False),
            guess("throttle, one address", seconds, {}, rotate=False),
            guess("throttle, a new address per guess", seconds, {}, rotate=True),
        ]
    finally:
        teardown_databases(old, verbosity=0)
        teardown_test_environment()
    print(f"Guessing one account's password for {seconds:g} s per scenario (Argon2PasswordHasher, default cost)")
    header = ("scenario", "attempts", "per s", "401", "guesses/s", "429", "other", "right pw")
    print("{:<32} {:>8} {:>10} {:>8} {:>10} {:>8} {:>6} {:>8}".format(*header))
    for outcome in outcomes:
        print(outcome.row())
    print("401: the password was checked (a real guess); 429: refused by the throttle before any hashing.")
    print("right pw: the answer to the right password from the attacker's address right afterwards.")
    limits = Limits()
    print(
        f"In the long run the defaults allow {_per_hour(limits.login_per_email_ip)} guesses an hour from one address "
        f"and {_per_hour(limits.login_per_email)} an hour from any number of addresses."
    )


def _per_hour(limit: Limit | None) -> str:
    return "unlimited" if limit is None else f"{limit.attempts * 3600 / limit.seconds:g}"


if __name__ == "__main__":
    main()
