"""Does a login's time tell a legacy account from an unknown email? Median ratios, real hashers.

    python -m scripts.timing_ratios                # 21 interleaved rounds
    python -m scripts.timing_ratios --pairs 41
    python -m scripts.timing_ratios --unpadded     # as before rix_auth padded the check

Settings of its own: SQLite in memory and the quickstart's ``PASSWORD_HASHERS`` with Django's
real defaults, Argon2 first and PBKDF2 kept for legacy hashes. Three accounts are timed with a
wrong password, each round in a rotating order so that machine noise hits all alike: an unknown
email, a user hashed with Argon2, a user whose hash is still PBKDF2 (as an older deployment left
it). Prints each median and the two ratios against the unknown email; ±25% (0.75-1.25) is the bar.
"""

from __future__ import annotations

import argparse
import statistics
import time

import django
from django.conf import settings

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
PASSWORD, WRONG = "correct-password-1", "wrong-password-1"
UNKNOWN, ARGON2_USER, PBKDF2_USER = "nobody@example.com", "argon2@example.com", "pbkdf2@example.com"


def configure() -> None:
    settings.configure(
        SECRET_KEY="timing-ratios-not-a-secret",  # noqa: S106
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rix_auth"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        PASSWORD_HASHERS=[ARGON2, PBKDF2],
        RIX_AUTH={"PRESET": "development"},
    )
    django.setup()


def unpadded(password: str, checked_hash: str | None, *, matched: bool, rehashed: bool = False) -> None:
    """Stands in for ``rix_auth.passwords.even_out_django_check`` with ``--unpadded``."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=21, help="timed rounds (each times all three accounts)")
    parser.add_argument("--unpadded", action="store_true", help="skip rix_auth's padding, as before it")
    options = parser.parse_args()
    configure()

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import get_hasher, make_password
    from django.core.management import call_command

    from rix_auth import passwords, stores
    from rix_auth.service import Auth

    if options.unpadded:
        passwords.even_out_django_check = unpadded
    call_command("migrate", verbosity=0)
    auth = Auth(users=stores.database_users(), sessions=stores.database_sessions())  # no throttle
    auth.register_user(ARGON2_USER, PASSWORD)
    legacy = auth.register_user(PBKDF2_USER, PASSWORD).value
    legacy_hash = make_password(PASSWORD, hasher="pbkdf2_sha256")  # as an older deployment left it
    get_user_model()._default_manager.filter(pk=legacy.id).update(password=legacy_hash)

    def seconds(email: str) -> float:
        start = time.perf_counter()
        result = auth.login(email, WRONG)
        elapsed = time.perf_counter() - start
        assert result.error is not None and result.error.code == "invalid_credentials", result
        return elapsed

    emails = [UNKNOWN, ARGON2_USER, PBKDF2_USER]
    for email in emails:  # warm caches and the throwaway hashes
        seconds(email)
    samples: dict[str, list[float]] = {email: [] for email in emails}
    for n in range(options.pairs):
        for email in emails[n % 3 :] + emails[: n % 3]:
            samples[email].append(seconds(email))
    median = {email: statistics.median(times) for email, times in samples.items()}

    argon2, pbkdf2 = get_hasher("argon2"), get_hasher("pbkdf2_sha256")
    print(f"Django {django.get_version()}, PASSWORD_HASHERS = [Argon2, PBKDF2]", end="")
    print(f" (argon2 t={argon2.time_cost} m={argon2.memory_cost} p={argon2.parallelism};", end="")  # type: ignore[attr-defined]
    print(f" pbkdf2_sha256 {pbkdf2.iterations} iterations)")  # type: ignore[attr-defined]
    print(f"{options.pairs} interleaved rounds, wrong password, {'un' if options.unpadded else ''}padded check")
    for label, email in (("unknown email", UNKNOWN), ("Argon2 user", ARGON2_USER), ("PBKDF2 user", PBKDF2_USER)):
        print(f"  {label:<14} median {median[email] * 1000:7.1f} ms")
    for label, email in (("Argon2 user / unknown", ARGON2_USER), ("PBKDF2 user / unknown", PBKDF2_USER)):
        ratio = median[email] / median[UNKNOWN]
        print(f"  {label:<22} {ratio:.2f}  {'within' if 0.75 <= ratio <= 1.25 else 'OUTSIDE'} ±25%")


if __name__ == "__main__":
    main()
