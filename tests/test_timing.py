"""A login's cost does not tell which of ``PASSWORD_HASHERS`` made the account's hash.

With Argon2 preferred and PBKDF2 kept for legacy hashes, Django checks a PBKDF2 hash with PBKDF2
but spends one argon2 hash on an unknown email: without rix_auth's padding, a wrong password for a
legacy account took 2-4 times as long as an unknown email. Every path now runs one verification
per configured hasher. The quick test hashers keep that difference (PBKDF2 about 3x argon2) at a
fraction of the real cost.
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher, make_password

from rix_auth import AuthErrorCode as Code
from rix_auth import stores
from rix_auth.passwords import even_out_django_check
from rix_auth.service import Auth
from rix_auth.session import UserId
from tests.hashers import QuickPBKDF2PasswordHasher

pytestmark = pytest.mark.django_db
ARGON2_USER, PBKDF2_USER, UNKNOWN = "ada@example.com", "grace@example.com", "nobody@example.com"
PASSWORD, WRONG = "correct-password", "wrong-password"
PAIRS = 61  # more than the contract's 41: other test runs share these cores


@pytest.fixture
def auth(settings: Any) -> Auth:
    """Argon2 preferred, PBKDF2 still accepted: the quickstart's ``PASSWORD_HASHERS``, made cheap."""
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher", "tests.hashers.QuickPBKDF2PasswordHasher"]
    return Auth(users=stores.database_users(), sessions=stores.database_sessions())  # no throttle: 88 wrong guesses


def _register(auth: Auth, email: str) -> UserId:
    user_id: UserId = auth.register_user(email, PASSWORD).value.id
    return user_id


def _store_hash(user_id: UserId, password_hash: str) -> None:
    """Put a hash in place the way an old deployment left it (no signal, nothing revoked)."""
    get_user_model()._default_manager.filter(pk=user_id).update(password=password_hash)


def _legacy_user(auth: Auth, email: str = PBKDF2_USER) -> UserId:
    user_id = _register(auth, email)
    _store_hash(user_id, make_password(PASSWORD, hasher="pbkdf2_sha256"))
    return user_id


def _seconds(auth: Auth, email: str) -> float:
    start = time.perf_counter()
    result = auth.login(email, WRONG)
    elapsed = time.perf_counter() - start
    assert result.error is not None and result.error.code is Code.INVALID_CREDENTIALS
    return elapsed


def _median_ratio(auth: Auth, email: str) -> float:
    """Median login time for ``email`` over that of an unknown email, both with a wrong password."""
    for _ in range(3):  # warm caches and the throwaway hashes
        _seconds(auth, UNKNOWN), _seconds(auth, email)
    known, unknown = [], []
    for n in range(PAIRS):  # interleaved, alternating who goes first, so machine noise hits both alike
        if n % 2:
            known.append(_seconds(auth, email))
            unknown.append(_seconds(auth, UNKNOWN))
        else:
            unknown.append(_seconds(auth, UNKNOWN))
            known.append(_seconds(auth, email))
    return statistics.median(known) / statistics.median(unknown)


def test_a_pbkdf2_hashed_user_costs_what_an_unknown_email_costs_with_argon2_preferred(auth: Auth) -> None:
    _legacy_user(auth)
    ratio = _median_ratio(auth, PBKDF2_USER)
    assert 0.75 <= ratio <= 1.25, f"PBKDF2 user / unknown email login time ratio {ratio:.2f}"


def test_an_argon2_hashed_user_costs_what_an_unknown_email_costs_with_pbkdf2_also_configured(auth: Auth) -> None:
    _register(auth, ARGON2_USER)
    ratio = _median_ratio(auth, ARGON2_USER)
    assert 0.75 <= ratio <= 1.25, f"Argon2 user / unknown email login time ratio {ratio:.2f}"


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the hashing a login does: argon2 hashes and verifications, PBKDF2 iterations."""
    done: Counter[str] = Counter()

    def counted(name: str, real: Callable[..., Any], units: Callable[..., int]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            done[name] += units(*args, **kwargs)
            return real(*args, **kwargs)

        return run

    def once(*args: Any, **kwargs: Any) -> int:
        return 1

    def iterations(password: Any, salt: Any, iterations: int, *args: Any, **kwargs: Any) -> int:
        return iterations

    # Django's Argon2 hasher hashes through argon2.low_level and verifies through PasswordHasher;
    # its PBKDF2 hasher hashes (and so verifies) through the pbkdf2 it imported.
    for target, name, units in [
        ("argon2.low_level.hash_secret", "argon2", once),
        ("argon2._password_hasher.verify_secret", "argon2", once),
        ("django.contrib.auth.hashers.pbkdf2", "pbkdf2", iterations),
    ]:
        module, _, attribute = target.rpartition(".")
        monkeypatch.setattr(target, counted(name, getattr(importlib.import_module(module), attribute), units))
    return done


def _one_of_each() -> Counter[str]:
    return Counter(argon2=1, pbkdf2=QuickPBKDF2PasswordHasher.iterations)


@pytest.fixture
def counted_login(auth: Auth, work: Counter[str]) -> Callable[[str, str], Code | None]:
    def login(email: str, password: str) -> Code | None:
        # The throwaway hashes are made on first use, once per process: make them all now.
        even_out_django_check(WRONG, None, matched=False)
        even_out_django_check(WRONG, make_password(WRONG, hasher="pbkdf2_sha256"), matched=False)
        work.clear()
        result = auth.login(email, password)
        return None if result.error is None else result.error.code

    return login


@pytest.mark.parametrize("password", [WRONG, PASSWORD])
def test_an_unknown_email_costs_one_verification_per_hasher(
    counted_login: Callable[[str, str], Code | None], work: Counter[str], password: str
) -> None:
    assert counted_login(UNKNOWN, password) is Code.INVALID_CREDENTIALS
    assert work == _one_of_each()


@pytest.mark.parametrize(("password", "code"), [(WRONG, Code.INVALID_CREDENTIALS), (PASSWORD, None)])
def test_an_argon2_user_costs_one_verification_per_hasher(
    auth: Auth, counted_login: Callable[[str, str], Code | None], work: Counter[str], password: str, code: Code | None
) -> None:
    _register(auth, ARGON2_USER)
    assert counted_login(ARGON2_USER, password) is code
    assert work == _one_of_each()


def test_a_pbkdf2_user_with_a_wrong_password_costs_one_verification_per_hasher(
    auth: Auth, counted_login: Callable[[str, str], Code | None], work: Counter[str]
) -> None:
    _legacy_user(auth)
    assert counted_login(PBKDF2_USER, WRONG) is Code.INVALID_CREDENTIALS
    assert work == _one_of_each()


def test_a_pbkdf2_users_first_login_is_upgraded_to_argon2_and_the_upgrade_is_the_argon2_turn(
    auth: Auth, counted_login: Callable[[str, str], Code | None], work: Counter[str]
) -> None:
    user_id = _legacy_user(auth)
    assert counted_login(PBKDF2_USER, PASSWORD) is None
    assert work == _one_of_each()  # PBKDF2's check, then argon2's hash of the upgrade
    upgraded = get_user_model()._default_manager.get(pk=user_id).password
    assert identify_hasher(upgraded).algorithm == "argon2"


def test_a_pbkdf2_hash_with_fewer_iterations_is_padded_up_to_the_current_count(
    auth: Auth, counted_login: Callable[[str, str], Code | None], work: Counter[str]
) -> None:
    user_id = _register(auth, PBKDF2_USER)
    legacy = QuickPBKDF2PasswordHasher()
    _store_hash(user_id, legacy.encode(PASSWORD, legacy.salt(), iterations=legacy.iterations // 3))
    assert counted_login(PBKDF2_USER, WRONG) is Code.INVALID_CREDENTIALS
    assert work == _one_of_each()


@pytest.mark.parametrize(("password", "code"), [(WRONG, Code.INVALID_CREDENTIALS), (PASSWORD, Code.USER_DISABLED)])
@pytest.mark.parametrize("hasher", ["argon2", "pbkdf2_sha256"])
def test_an_inactive_user_costs_one_verification_per_hasher(
    auth: Auth,
    counted_login: Callable[[str, str], Code | None],
    work: Counter[str],
    password: str,
    code: Code,
    hasher: str,
) -> None:
    user_id = _register(auth, PBKDF2_USER)
    _store_hash(user_id, make_password(PASSWORD, hasher=hasher))
    get_user_model()._default_manager.filter(pk=user_id).update(is_active=False)
    assert counted_login(PBKDF2_USER, password) is code
    assert work == _one_of_each()


@pytest.mark.parametrize("stored", ["!unusable-password", "md5$salt$0123456789abcdef0123456789abcdef", ""])
def test_an_unusable_or_unknown_hash_costs_one_verification_per_hasher(
    auth: Auth, counted_login: Callable[[str, str], Code | None], work: Counter[str], stored: str
) -> None:
    _store_hash(_register(auth, PBKDF2_USER), stored)  # Django hashes with the first hasher instead
    assert counted_login(PBKDF2_USER, PASSWORD) is Code.INVALID_CREDENTIALS
    assert work == _one_of_each()
