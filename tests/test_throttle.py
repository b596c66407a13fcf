"""Login throttling: failed logins counted per (email, address), per email and per address,
registrations per address; refusals are ``too_many_attempts`` / 429 with ``Retry-After``.

Time moves through the ``clock`` fixture (the configured throttle reads ``rix_auth.clock``),
which starts on a boundary of every window: a fresh window has its whole length left.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import OperationalError, connection, transaction
from django.test import Client, override_settings

import rix_auth
from rix_auth import checks, http, throttle
from rix_auth.clock import ManualClock
from rix_auth.conf import settings as rix_settings
from rix_auth.error import AuthError
from rix_auth.error import AuthErrorCode as Code
from rix_auth.ratelimited_log import RateLimitedLog
from rix_auth.result import Result
from rix_auth.service import Auth
from rix_auth.throttle import Limit, Limits, NoThrottle
from rix_auth.throttle_cache import CacheThrottle
from tests.conftest import EMAIL, PASSWORD
from tests.hashers import QuickArgon2PasswordHasher

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
IP, OTHER_IP = "203.0.113.5", "198.51.100.9"
WRONG = "wrong-password"
DEV = {"PRESET": "development"}


def code(result: Result[Any]) -> Code | None:
    return None if result.error is None else result.error.code


@pytest.fixture
def auth(clock: ManualClock) -> Auth:
    """The configured Auth: the Django user store, with the cache throttle on the test LocMemCache."""
    configured = rix_auth.get_auth()
    assert isinstance(configured.throttle, CacheThrottle)
    assert configured.register_user(EMAIL, PASSWORD).ok
    return configured


@pytest.fixture
def limited(auth: Auth, settings: Any) -> Callable[..., Auth]:
    """Grace is registered; ``limited(KEY=value)`` is the configured Auth under those RIX_AUTH
    values for the rest of the test (pytest-django's ``settings`` restores them)."""

    def choose(**values: object) -> Auth:
        settings.RIX_AUTH = {**DEV, **values}
        return rix_auth.get_auth()

    return choose


@pytest.fixture
def hashings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hash or verification the test hasher runs, by method name."""
    calls: list[str] = []
    for name in ("encode", "verify", "harden_runtime"):
        original = getattr(QuickArgon2PasswordHasher, name)

        def counting(self: object, *args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(QuickArgon2PasswordHasher, name, counting)
    return calls


def fail(auth: Auth, times: int, email: str = EMAIL, ip: str | None = IP) -> list[Code | None]:
    return [code(auth.login(email, WRONG, ip=ip)) for _ in range(times)]


# --- the code, and its HTTP answer ---


def test_too_many_attempts_is_429_with_retry_after_in_the_json_shape() -> None:
    assert Code.TOO_MANY_ATTEMPTS.value == "too_many_attempts"
    response = http.error_response(throttle.too_many_attempts(42))
    assert (response.status_code, response["Retry-After"]) == (429, "42")
    message = "Too many attempts; try again in 42 seconds."
    assert json.loads(response.content) == {"error": {"code": "too_many_attempts", "message": message}}
    assert "Retry-After" not in http.error_response(AuthError(Code.INVALID_CREDENTIALS))
    unknown_wait = http.error_response(AuthError(Code.TOO_MANY_ATTEMPTS))  # a lockout without a cool-off
    assert unknown_wait.status_code == 429 and "Retry-After" not in unknown_wait


def test_an_auth_error_keeps_retry_after_through_repr_equality_and_pickle() -> None:
    error = AuthError(Code.TOO_MANY_ATTEMPTS, "wait", retry_after=60)
    assert repr(error) == "AuthError('too_many_attempts', 'wait', retry_after=60)"
    assert repr(AuthError(Code.INVALID_SESSION, "gone")) == "AuthError('invalid_session', 'gone')"
    assert error == AuthError(Code.TOO_MANY_ATTEMPTS, "wait", retry_after=60)
    assert error != AuthError(Code.TOO_MANY_ATTEMPTS, "wait", retry_after=61)
    assert len({error, AuthError(Code.TOO_MANY_ATTEMPTS, "wait", retry_after=60)}) == 1
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301  (our own bytes)
    assert (copy, copy.code, copy.retry_after) == (error, Code.TOO_MANY_ATTEMPTS, 60)


# --- settings ---


def test_the_defaults_are_the_documented_limits_on_the_default_cache() -> None:
    assert Limits() == Limits(Limit(5, 900), Limit(100, 3600), Limit(30, 60), Limit(10, 3600))
    configured = rix_settings.throttle
    assert isinstance(configured, CacheThrottle)
    assert (configured.alias, configured.limits) == ("default", Limits())
    assert rix_auth.memory().throttle.__class__ is NoThrottle  # the core counts nothing unless told


def test_settings_choose_the_cache_and_the_limits_or_switch_the_throttle_off() -> None:
    chosen = {**DEV, "THROTTLE_LOGIN_PER_EMAIL_IP": [3, 60], "THROTTLE_LOGIN_PER_IP": None, "THROTTLE_CACHE": "other"}
    with override_settings(RIX_AUTH=chosen, CACHES={**_caches(), "other": _LOCMEM}):
        configured = rix_settings.throttle
        assert isinstance(configured, CacheThrottle) and configured.alias == "other"
        assert configured.limits == Limits(login_per_email_ip=Limit(3, 60), login_per_ip=None)
        assert rix_auth.get_auth().throttle is configured
        assert checks.check_throttle() == []
    with override_settings(RIX_AUTH={**DEV, "THROTTLE_CACHE": None}):
        assert isinstance(rix_auth.get_auth().throttle, NoThrottle)


@pytest.mark.parametrize(
    "value",
    [
        {"THROTTLE_LOGIN_PER_EMAIL_IP": 5},
        {"THROTTLE_LOGIN_PER_EMAIL": (100, 0)},
        {"THROTTLE_LOGIN_PER_IP": (30, 60, 1)},
        {"THROTTLE_REGISTER_PER_IP": (True, 3600)},
        {"THROTTLE_LOGIN_PER_IP": ("30", "60")},
        {"THROTTLE_CACHE": "nowhere"},
        {"THROTTLE_CACHE": 1},
        {"THROTTLE_CACHE": "dummy"},
    ],
)
def test_a_bad_throttle_setting_is_rix_auth_e012(value: dict[str, object]) -> None:
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    with override_settings(RIX_AUTH={**DEV, **value}, CACHES={**_caches(), "dummy": dummy}):
        assert [m.id for m in checks.check_throttle()] == ["rix_auth.E012"]
        assert checks.check_settings() == []  # the keys themselves are known
        assert rix_auth.get_auth().throttle is not None  # a bad limit keeps its default meanwhile


def test_the_test_settings_pass_the_throttle_check() -> None:
    assert checks.check_throttle() == []


# --- the rules, through Auth.login ---


def test_after_five_failures_from_one_address_even_the_right_password_waits_for_retry_after(
    auth: Auth, clock: ManualClock
) -> None:
    assert fail(auth, 5) == [Code.INVALID_CREDENTIALS] * 5
    clock.advance(100)
    refused = auth.login(EMAIL, PASSWORD, ip=IP).error
    assert refused is not None
    assert (refused.code, refused.retry_after) == (Code.TOO_MANY_ATTEMPTS, 801)
    assert refused.message == "Too many attempts; try again in 801 seconds."
    clock.advance(800)
    assert auth.login(EMAIL, PASSWORD, ip=IP).error == throttle.too_many_attempts(1)
    clock.advance(1)  # 15 minutes after the five failures: the sixth attempt is let through
    assert auth.login(EMAIL, PASSWORD, ip=IP).ok


def test_the_window_slides_so_no_burst_doubles_the_limit_at_its_edge(auth: Auth, clock: ManualClock) -> None:
    clock.advance(890)  # five failures at the end of one fixed window...
    assert fail(auth, 5) == [Code.INVALID_CREDENTIALS] * 5
    clock.advance(20)  # ...still count early in the next: a fixed window would allow five more here
    assert fail(auth, 2) == [Code.INVALID_CREDENTIALS, Code.TOO_MANY_ATTEMPTS]
    # Then the budget comes back gradually: one more failure every 900 / 5 = 180 seconds.
    clock.advance(180)
    assert fail(auth, 2) == [Code.INVALID_CREDENTIALS, Code.TOO_MANY_ATTEMPTS]
    for _ in range(3):  # each refusal's Retry-After is the least wait that is then let through
        wait = auth.login(EMAIL, WRONG, ip=IP).error.retry_after  # type: ignore[union-attr]
        assert wait is not None and 1 <= wait <= 180
        clock.advance(wait - 1)
        assert code(auth.login(EMAIL, WRONG, ip=IP)) is Code.TOO_MANY_ATTEMPTS
        clock.advance(1)
        assert code(auth.login(EMAIL, WRONG, ip=IP)) is Code.INVALID_CREDENTIALS


def test_a_refused_attempt_costs_no_password_hashing(auth: Auth, hashings: list[str]) -> None:
    unknown = "nobody@example.com"
    fail(auth, 5)
    fail(auth, 5, email=unknown)
    assert hashings, "the test hasher is not what logins use"
    hashings.clear()
    for email, password in ((EMAIL, PASSWORD), (EMAIL, WRONG), (unknown, WRONG)):
        assert code(auth.login(email, password, ip=IP)) is Code.TOO_MANY_ATTEMPTS
    assert hashings == []
    assert auth.login(EMAIL, PASSWORD, ip=OTHER_IP).ok  # the same login from a fresh address does hash
    assert hashings


def test_unknown_emails_are_counted_and_refused_exactly_like_known_ones(auth: Auth) -> None:
    unknown = "nobody@example.com"
    assert fail(auth, 5, email=unknown) == fail(auth, 5) == [Code.INVALID_CREDENTIALS] * 5
    for_unknown, for_known = auth.login(unknown, WRONG, ip=IP).error, auth.login(EMAIL, PASSWORD, ip=IP).error
    assert for_unknown is not None and for_known is not None
    assert for_unknown.code is Code.TOO_MANY_ATTEMPTS
    assert (for_unknown.message, for_unknown.retry_after) == (for_known.message, for_known.retry_after)


def test_a_success_clears_only_its_own_email_and_address(auth: Auth) -> None:
    assert auth.register_user("ada@example.com", PASSWORD).ok
    fail(auth, 4, ip=IP)
    fail(auth, 4, ip=OTHER_IP)
    fail(auth, 4, email="ada@example.com", ip=IP)
    assert auth.login(EMAIL, PASSWORD, ip=IP).ok
    assert fail(auth, 5, ip=IP) == [Code.INVALID_CREDENTIALS] * 5  # its pair starts again from zero
    assert fail(auth, 2, ip=OTHER_IP) == [Code.INVALID_CREDENTIALS, Code.TOO_MANY_ATTEMPTS]  # still at 4
    assert fail(auth, 2, email="ada@example.com") == [Code.INVALID_CREDENTIALS, Code.TOO_MANY_ATTEMPTS]


def test_failures_of_one_email_are_counted_across_addresses(limited: Callable[..., Auth], clock: ManualClock) -> None:
    auth = limited(THROTTLE_LOGIN_PER_EMAIL=(3, 3600))
    assert [fail(auth, 1, ip=f"192.0.2.{n}")[0] for n in range(1, 4)] == [Code.INVALID_CREDENTIALS] * 3
    clock.advance(600)
    refused = auth.login(EMAIL, PASSWORD, ip="192.0.2.200").error  # a fresh address, the right password
    assert refused is not None and (refused.code, refused.retry_after) == (Code.TOO_MANY_ATTEMPTS, 3001)
    assert rix_auth.get_auth().register_user("ada@example.com", PASSWORD).ok
    assert auth.login("ada@example.com", PASSWORD, ip="192.0.2.1").ok  # other accounts are untouched
    clock.advance(3001)
    assert auth.login(EMAIL, PASSWORD, ip="192.0.2.200").ok


def test_failures_from_one_address_are_counted_across_emails_and_spare_other_clients(
    limited: Callable[..., Auth], clock: ManualClock
) -> None:
    auth = limited(THROTTLE_LOGIN_PER_IP=(3, 60))
    assert [fail(auth, 1, email=f"guess{n}@example.com")[0] for n in range(3)] == [Code.INVALID_CREDENTIALS] * 3
    clock.advance(15)
    refused = auth.login(EMAIL, PASSWORD, ip=IP).error
    assert refused is not None and (refused.code, refused.retry_after) == (Code.TOO_MANY_ATTEMPTS, 46)
    assert auth.login(EMAIL, PASSWORD, ip=OTHER_IP).ok  # the same user from elsewhere
    clock.advance(46)
    assert auth.login(EMAIL, PASSWORD, ip=IP).ok


def test_an_ipv6_client_is_counted_by_its_64(limited: Callable[..., Auth]) -> None:
    auth = limited(THROTTLE_LOGIN_PER_IP=(3, 60))
    for n in range(3):
        fail(auth, 1, email=f"guess{n}@example.com", ip=f"2001:db8:1:2::{n + 1:x}")
    assert code(auth.login(EMAIL, PASSWORD, ip="2001:db8:1:2:ffff::9")) is Code.TOO_MANY_ATTEMPTS
    assert auth.login(EMAIL, PASSWORD, ip="2001:db8:1:3::1").ok  # the next /64


def test_without_an_address_only_the_per_email_rule_counts(clock: ManualClock) -> None:
    throttled = CacheThrottle(limits=Limits(login_per_email=Limit(2, 60)), clock=clock)
    for _ in range(2):
        throttled.failed("nobody@example.com", None)  # no address: nothing per address
    assert throttled.blocked("other@example.com", IP) is None
    assert throttled.blocked("nobody@example.com", IP) == 61
    assert throttled.registering(None) is None


def test_a_rule_set_to_none_counts_nothing(clock: ManualClock) -> None:
    throttled = CacheThrottle(limits=Limits(None, None, None, None), clock=clock)
    for _ in range(200):
        throttled.failed(EMAIL, IP)
        assert throttled.registering(IP) is None
    assert throttled.blocked(EMAIL, IP) is None
    assert not _keys()


def test_only_wrong_passwords_and_disabled_accounts_count(auth: Auth, clock: ManualClock) -> None:
    for _ in range(10):  # bad input is refused before the throttle hears of it
        assert code(auth.login(EMAIL, "", ip=IP)) is Code.INVALID_INPUT
        assert code(auth.login(EMAIL, PASSWORD, ip=IP, user_agent=7)) is Code.INVALID_INPUT  # type: ignore[arg-type]
    with _broken_database():
        assert [code(auth.login(EMAIL, WRONG, ip=IP)) for _ in range(10)] == [Code.STORE_ERROR] * 10
    assert not _keys()
    _set_active(EMAIL, False)
    assert [code(auth.login(EMAIL, PASSWORD, ip=IP)) for _ in range(6)] == [Code.USER_DISABLED] * 5 + [
        Code.TOO_MANY_ATTEMPTS
    ]


def test_registration_is_limited_per_address(clock: ManualClock) -> None:
    auth = rix_auth.get_auth()
    made = [code(auth.register_user(f"user{n}@example.com", PASSWORD, ip=IP)) for n in range(10)]
    assert made == [None] * 10
    refused = auth.register_user("user10@example.com", PASSWORD, ip=IP).error
    assert refused is not None and (refused.code, refused.retry_after) == (Code.TOO_MANY_ATTEMPTS, 3601)
    assert auth.register_user("user10@example.com", PASSWORD, ip=OTHER_IP).ok
    assert code(auth.register_user("user11@example.com", PASSWORD, ip="not-an-address")) is Code.INVALID_INPUT
    for _ in range(20):  # refusals are not counted, so retrying meanwhile does not stretch the wait
        assert code(auth.register_user("user11@example.com", PASSWORD, ip=IP)) is Code.TOO_MANY_ATTEMPTS
    clock.advance(3601)
    assert auth.register_user("user11@example.com", PASSWORD, ip=IP).ok


def test_cache_keys_carry_a_prefix_and_no_email_or_address(auth: Auth) -> None:
    fail(auth, 1)
    auth.register_user("ada@example.com", PASSWORD, ip=IP)
    keys = _keys()
    assert len(keys) == 4  # (email, address), email, address; registrations per address
    for key in keys:
        assert "rix_auth:throttle:" in key
        assert not any(part in key.lower() for part in ("grace", "example", "ada", IP, "203"))


def test_the_async_twin_is_throttled_alike(auth: Auth) -> None:
    fail(auth, 5)
    assert code(asyncio.run(auth.alogin(EMAIL, PASSWORD, ip=IP))) is Code.TOO_MANY_ATTEMPTS


# --- re-authentication ---


def test_reauthentication_is_throttled_as_a_login_of_the_account(auth: Auth, hashings: list[str]) -> None:
    session_id = auth.login(EMAIL, PASSWORD, ip=IP).value.session.id
    wrong = [code(auth.reauthenticate(session_id, WRONG, ip=IP)) for _ in range(5)]
    assert wrong == [Code.INVALID_CREDENTIALS] * 5
    hashings.clear()
    refused = auth.reauthenticate(session_id, PASSWORD, ip=IP).error  # even the right password
    assert refused is not None and (refused.code, refused.retry_after) == (Code.TOO_MANY_ATTEMPTS, 901)
    assert code(auth.login(EMAIL, PASSWORD, ip=IP)) is Code.TOO_MANY_ATTEMPTS  # one budget for the account
    assert hashings == []
    assert auth.reauthenticate(session_id, PASSWORD, ip=OTHER_IP).ok  # which a success from elsewhere keeps
    assert code(auth.login(EMAIL, PASSWORD, ip=IP)) is Code.TOO_MANY_ATTEMPTS


def test_over_http_reauthentication_is_429_with_retry_after(client: Client, auth: Auth) -> None:
    session_id = auth.login(EMAIL, PASSWORD, ip="127.0.0.1").value.session.id
    fail(auth, 5, ip="127.0.0.1")

    def reauthenticate(password: str) -> Any:
        headers = {"Authorization": f"Bearer {session_id}"}
        return client.post("/auth/reauthenticate/", {"password": password}, content_type="application/json",
                           headers=headers)  # fmt: skip

    response = reauthenticate(PASSWORD)
    assert (response.status_code, response["Retry-After"], response.json()["error"]["code"]) == (
        429, "901", "too_many_attempts")  # fmt: skip


# --- over HTTP ---


def _login(client: Client, password: str, ip: str = "127.0.0.1", email: str = EMAIL, **extra: Any) -> Any:
    body = {"email": email, "password": password}
    return client.post("/auth/login/", body, content_type="application/json", REMOTE_ADDR=ip, **extra)


def test_over_http_the_sixth_attempt_is_429_with_retry_after(
    client: Client, registered: dict[str, object], clock: ManualClock
) -> None:
    assert [_login(client, WRONG).status_code for _ in range(5)] == [401] * 5
    clock.advance(60)
    response = _login(client, PASSWORD)
    assert (response.status_code, response["Retry-After"]) == (429, "841")
    assert response.json() == {
        "error": {"code": "too_many_attempts", "message": "Too many attempts; try again in 841 seconds."}
    }
    assert "no-store" in response["Cache-Control"]
    assert "WWW-Authenticate" not in response
    assert _login(Client(), PASSWORD, ip="192.0.2.44").status_code == 200  # the same user on another network


def test_over_http_registration_is_429_after_ten_from_one_address(client: Client, clock: ManualClock) -> None:
    def register(n: int, ip: str = "127.0.0.1") -> Any:
        body = {"email": f"user{n}@example.com", "password": PASSWORD}
        return client.post("/auth/register/", body, content_type="application/json", REMOTE_ADDR=ip)

    assert [register(n).status_code for n in range(10)] == [201] * 10
    refused = register(10)
    assert (refused.status_code, refused["Retry-After"], refused.json()["error"]["code"]) == (
        429, "3601", "too_many_attempts")  # fmt: skip
    assert register(10, ip="192.0.2.44").status_code == 201


@override_settings(RIX_AUTH={**DEV, "TRUSTED_PROXIES": ["10.0.0.0/8"]})
def test_behind_a_trusted_proxy_each_forwarded_client_is_counted_apart(
    client: Client, registered: dict[str, object]
) -> None:
    def via_proxy(password: str, forwarded: str, peer: str = "10.0.0.1") -> int:
        return int(_login(client, password, ip=peer, HTTP_X_FORWARDED_FOR=forwarded).status_code)

    assert [via_proxy(WRONG, "192.0.2.1") for _ in range(6)] == [401] * 5 + [429]
    assert via_proxy(PASSWORD, "192.0.2.2") == 200  # another client behind the same proxy
    # An untrusted peer's X-Forwarded-For is its own invention: it is counted by its own address.
    assert [_login(client, WRONG, ip="198.51.100.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 50}").status_code
            for n in range(6)] == [401] * 5 + [429]  # fmt: skip


EXAMPLE_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [ROOT / "example_project" / "templates"],
        "APP_DIRS": True,
    }
]


@override_settings(ROOT_URLCONF="example_project.urls", TEMPLATES=EXAMPLE_TEMPLATES)
def test_the_example_site_refuses_a_throttled_login_and_registration_with_429(clock: ManualClock) -> None:
    browser, sign_in, register = Client(), "/account/sign-in/", "/account/register/"
    assert browser.post(register, {"email": EMAIL, "password": PASSWORD}).status_code == 302
    assert [browser.post(sign_in, {"email": EMAIL, "password": WRONG}).status_code for _ in range(5)] == [400] * 5
    refused = browser.post(sign_in, {"email": EMAIL, "password": PASSWORD})
    assert (refused.status_code, refused["Retry-After"]) == (429, "901")
    assert "Too many attempts; try again in 901 seconds." in refused.content.decode()
    for n in range(9):
        browser.post(register, {"email": f"user{n}@example.com", "password": PASSWORD})
    refused = browser.post(register, {"email": "late@example.com", "password": PASSWORD})
    assert (refused.status_code, refused["Retry-After"]) == (429, "3601")


# --- the cache is down ---


class BrokenCache(BaseCache):
    """A cache server that cannot be reached."""

    def __init__(self, host: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def _down(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("Error 111 connecting to cache:6379. Connection refused.")

    add = get = set = touch = delete = incr = get_many = set_many = delete_many = has_key = _down

    def clear(self) -> None:
        return None


def test_with_the_cache_down_logins_work_uncounted_and_one_warning_a_minute_says_so(
    client: Client, registered: dict[str, object], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    monkeypatch.setattr(throttle, "errors", RateLimitedLog(logging.getLogger("rix_auth"), clock=lambda: now[0]))
    broken = {**_caches(), "broken": {"BACKEND": "tests.test_throttle.BrokenCache"}}
    with override_settings(CACHES=broken, RIX_AUTH={**DEV, "THROTTLE_CACHE": "broken"}), caplog.at_level("WARNING"):
        assert [_login(client, WRONG).status_code for _ in range(8)] == [401] * 8
        assert _login(client, PASSWORD).status_code == 200
        register = {"email": "ada@example.com", "password": PASSWORD}
        assert client.post("/auth/register/", register, content_type="application/json").status_code == 201
        warned = [r for r in caplog.records if "login throttle failed" in r.getMessage()]
        assert len(warned) == 1
        assert "ConnectionError" in warned[0].getMessage() and warned[0].exc_info is None
        now[0] += 61
        assert _login(client, WRONG).status_code == 401
    warned = [r for r in caplog.records if "login throttle failed" in r.getMessage()]
    assert len(warned) == 2 and "(18 more since the last such record)" in warned[1].getMessage()


# --- django-axes ---


def test_a_django_axes_lockout_is_too_many_attempts() -> None:
    """tests/axes_lockout.py under tests/settings_axes.py, in its own process (axes connects its
    signal handlers when its app loads)."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--ds", "tests.settings_axes",
               "tests/axes_lockout.py"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=os.environ.copy(), check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


# --- helpers ---

_LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def _caches() -> dict[str, dict[str, Any]]:
    return {"default": _LOCMEM}


def _keys() -> list[str]:
    return list(caches["default"]._cache)  # type: ignore[attr-defined]


def _set_active(email: str, active: bool) -> None:
    get_user_model()._default_manager.filter(username=email).update(is_active=active)


@contextmanager
def _broken_database() -> Iterator[None]:
    def refuse(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "SAVEPOINT" in sql.upper():  # let the test's own transaction unwind cleanly
            return execute(sql, params, many, context)
        raise OperationalError("the database went away")

    with transaction.atomic(), connection.execute_wrapper(refuse):
        yield
