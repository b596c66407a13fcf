"""Login throttling: how many passwords a client may try, and what answers when it is over.

:class:`~rix_auth.service.Auth` asks its :class:`LoginThrottle` before it checks a password
(so a refused attempt costs no hashing), tells it how each attempt ended, and asks it before
each registration. A throttle answers in seconds to wait; Auth turns them into
``too_many_attempts`` with ``retry_after``.

:class:`NoThrottle` is the default of ``Auth(...)`` and ``rix_auth.memory()``. Django projects
get :class:`CountingThrottle` over their cache (``rix_auth.throttle_cache``); any other
shared counter store can back it through :class:`Counters`. Nothing here needs Django set up.

If a throttle raises (its cache is down), logins go on uncounted: a throttle must never
lock everyone out. One warning a minute says so.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from rix_auth.clock import Clock, system_clock
from rix_auth.error import AuthError, AuthErrorCode, ngettext
from rix_auth.ratelimited_log import RateLimitedLog
from rix_auth.result import Result

T = TypeVar("T")

PREFIX = "rix_auth:throttle"


class LoginThrottle(ABC):
    """Counts failed logins and registrations; every answer is seconds to wait, or ``None``.

    ``email`` is canonical (:func:`rix_auth.emails.canonical_email`); ``ip`` is the client's
    address as Auth was given it, or ``None`` when unknown (then only per-email rules apply).
    """

    @abstractmethod
    def blocked(self, email: str, ip: str | None) -> int | None:
        """Seconds before ``email`` may try a password from ``ip`` again, or ``None`` if it may now."""

    @abstractmethod
    def failed(self, email: str, ip: str | None) -> None:
        """Count a failed login (wrong password, unknown email, disabled account)."""

    @abstractmethod
    def succeeded(self, email: str, ip: str | None) -> None:
        """A login succeeded: forget this (email, ip) pair's failures, and only those."""

    @abstractmethod
    def registering(self, ip: str | None) -> int | None:
        """Count a registration from ``ip``: ``None`` if allowed, else seconds to wait."""


class NoThrottle(LoginThrottle):
    """Counts nothing, refuses nothing."""

    def blocked(self, email: str, ip: str | None) -> int | None:
        return None

    def failed(self, email: str, ip: str | None) -> None:
        return None

    def succeeded(self, email: str, ip: str | None) -> None:
        return None

    def registering(self, ip: str | None) -> int | None:
        return None


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``attempts`` in each window of ``seconds``."""

    attempts: int
    seconds: int

    def __post_init__(self) -> None:
        for value in (self.attempts, self.seconds):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                message = f"A throttle limit takes two positive integers, got {self.attempts!r}, {self.seconds!r}."
                raise ValueError(message)


@dataclass(frozen=True, slots=True)
class Limits:
    """The four rules; ``None`` switches one off."""

    login_per_email_ip: Limit | None = Limit(5, 15 * 60)
    login_per_email: Limit | None = Limit(100, 60 * 60)
    login_per_ip: Limit | None = Limit(30, 60)
    register_per_ip: Limit | None = Limit(10, 60 * 60)


class Counters(Protocol):
    """Shared integer counters that expire, e.g. a Django cache (``rix_auth.throttle_cache``)."""

    def get_many(self, keys: Sequence[str]) -> Mapping[str, int]:
        """The counters that exist among ``keys``."""

    def incr(self, key: str, timeout: int) -> int:
        """Add one to ``key`` (created at 1, living ``timeout`` seconds) and return the new count."""

    def delete(self, key: str) -> None: ...


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    limit: Limit
    subject: str


class CountingThrottle(LoginThrottle):
    """The rules of :class:`Limits`, each over its own sliding window.

    Each rule counts in fixed windows aligned to the clock and reads two of them: the current
    one, plus the previous one weighted by how much of it the sliding window still covers
    (``previous * (1 - elapsed / window) + current``). So ``Limit(5, 900)`` lets 5 failures
    through in any 15 minutes, with no burst of twice that around a window's edge, and the
    budget comes back gradually. The wait is the least whole number of seconds after which
    the next attempt is let through, if no other attempt comes meanwhile.

    Keys are ``prefix:rule:window seconds:window number:digest``: the digest is a keyed BLAKE2b
    of the email and address, so the cache holds neither. ``secret`` keys it and must be the
    same in every process that shares the counters. IPv6 clients are counted by their /64,
    which one subscriber usually holds whole.

    A check and the count after it are two steps: attempts that arrive together, before any
    of them has been counted, are checked against the same count, so a client can exceed a
    limit by at most the number of requests the site serves at once.
    """

    def __init__(
        self,
        counters: Counters,
        limits: Limits | None = None,
        *,
        secret: bytes,
        clock: Clock = system_clock,
        prefix: str = PREFIX,
    ) -> None:
        self.counters = counters
        self.limits = limits or Limits()
        self.clock = clock
        self.prefix = prefix
        self._key = hashlib.sha256(b"rix_auth.throttle\0" + secret).digest()

    def blocked(self, email: str, ip: str | None) -> int | None:
        return self._wait(self._login_rules(email, ip), self._now())

    def failed(self, email: str, ip: str | None) -> None:
        now = self._now()
        for rule in self._login_rules(email, ip):
            self._count(rule, now)

    def succeeded(self, email: str, ip: str | None) -> None:
        limit = self.limits.login_per_email_ip
        if limit is not None and ip is not None:
            window = _Window(_Rule("login-email-ip", limit, _pair(email, ip)), self._now())
            for number in (window.number, window.number - 1):
                self.counters.delete(self._counter(window.rule, number))

    def registering(self, ip: str | None) -> int | None:
        limit = self.limits.register_per_ip
        if limit is None or ip is None:
            return None
        now, rule = self._now(), _Rule("register-ip", limit, _client(ip))
        wait = self._wait([rule], now)
        if wait is None:  # refused attempts are not counted: they would only stretch the wait
            self._count(rule, now)
        return wait

    def _login_rules(self, email: str, ip: str | None) -> list[_Rule]:
        limits = self.limits
        candidates: list[tuple[str, Limit | None, str | None]] = [
            ("login-email-ip", limits.login_per_email_ip, None if ip is None else _pair(email, ip)),
            ("login-email", limits.login_per_email, email),
            ("login-ip", limits.login_per_ip, None if ip is None else _client(ip)),
        ]
        return [_Rule(name, limit, subject) for name, limit, subject in candidates if limit and subject is not None]

    def _wait(self, rules: list[_Rule], now: float) -> int | None:
        """The longest wait any of ``rules`` asks for, reading every counter at once."""
        if not rules:
            return None
        windows = [_Window(rule, now) for rule in rules]
        keys = {(w.rule, n): self._counter(w.rule, n) for w in windows for n in (w.number, w.number - 1)}
        counts = self.counters.get_many(list(keys.values()))

        def count(rule: _Rule, number: int) -> int:
            value = counts.get(keys[rule, number])
            return value if isinstance(value, int) and not isinstance(value, bool) else 0

        waits = [w.wait(count(w.rule, w.number), count(w.rule, w.number - 1)) for w in windows]
        return max((wait for wait in waits if wait is not None), default=None)

    def _count(self, rule: _Rule, now: float) -> None:
        window = _Window(rule, now)
        # The current window's counter is read until the next window ends.
        self.counters.incr(self._counter(rule, window.number), math.ceil(window.end + rule.limit.seconds - now) + 1)

    def _counter(self, rule: _Rule, number: int) -> str:
        digest = hashlib.blake2b(f"{rule.name}\0{rule.subject}".encode(), key=self._key, digest_size=16).hexdigest()
        return f"{self.prefix}:{rule.name}:{rule.limit.seconds}:{number}:{digest}"

    def _now(self) -> float:
        return self.clock().timestamp()


class _Window:
    """Where ``now`` falls among ``rule``'s fixed windows."""

    def __init__(self, rule: _Rule, now: float) -> None:
        self.rule, self.now = rule, now
        self.number = int(now // rule.limit.seconds)
        self.start = self.number * rule.limit.seconds
        self.end = self.start + rule.limit.seconds

    def wait(self, current: int, previous: int) -> int | None:
        """``None`` if the sliding count is under the limit, else the seconds until it will be."""
        seconds, attempts = self.rule.limit.seconds, self.rule.limit.attempts
        weight = 1 - (self.now - self.start) / seconds
        if previous * weight + current < attempts:
            return None
        if current >= attempts:  # only once this window is the previous one, and has faded enough
            under_at = self.end + seconds * (1 - attempts / current)
        else:  # the previous window fades below what is left
            under_at = self.start + seconds * (1 - (attempts - current) / previous)
        return max(math.floor(under_at - self.now) + 1, 1)


def _pair(email: str, ip: str) -> str:
    return f"{email}\0{_client(ip)}"


def _client(ip: str) -> str:
    """The unit a limit counts: an IPv4 address, or an IPv6 /64 (an IPv4-mapped one is IPv4)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class LockedOut(Exception):
    """Raised by a user store whose own lockout refused the attempt (django-axes does,
    through ``authenticate()``); Auth answers ``too_many_attempts``."""

    def __init__(self, retry_after: int | None = None) -> None:
        self.retry_after = retry_after
        super().__init__("locked out" if retry_after is None else f"locked out for {retry_after} seconds")


def too_many_attempts(retry_after: int | None) -> AuthError:
    """The refusal, saying how long to wait when that is known."""
    if retry_after is None:
        return AuthError(AuthErrorCode.TOO_MANY_ATTEMPTS)
    wait = ngettext(
        "Too many attempts; try again in %(seconds)d second.",
        "Too many attempts; try again in %(seconds)d seconds.",
        retry_after,
    )
    return AuthError(AuthErrorCode.TOO_MANY_ATTEMPTS, wait % {"seconds": retry_after}, retry_after=retry_after)


COUNTED = frozenset({AuthErrorCode.INVALID_CREDENTIALS, AuthErrorCode.USER_DISABLED})
"""The outcomes that count as failed logins; bad input, outages and throttling do not."""


def guarded(throttle: LoginThrottle, email: str, ip: str | None, check: Callable[[], Result[T]]) -> Result[T]:
    """Run ``check``, a password check for ``email`` from ``ip``, only if ``throttle`` allows
    it, and tell the throttle how it ended. A store's :class:`LockedOut` is answered as
    ``too_many_attempts`` too; any other exception passes through uncounted."""
    wait = fail_open(throttle.blocked, email, ip)
    if wait is not None:
        return Result.failure(too_many_attempts(wait))
    try:
        result = check()
    except LockedOut as locked:
        return Result.failure(too_many_attempts(locked.retry_after))
    if result.error is None:
        fail_open(throttle.succeeded, email, ip)
    elif result.error.code in COUNTED:
        fail_open(throttle.failed, email, ip)
    return result


errors = RateLimitedLog(logging.getLogger("rix_auth"))
"""One warning a minute while the throttle fails."""


def fail_open(call: Callable[..., T | None], *args: str | None) -> T | None:
    """``call(*args)``, or ``None`` (nothing to wait for, nothing counted) if the throttle fails."""
    try:
        return call(*args)
    except Exception as error:
        # No traceback: a login's frames hold the password.
        failing = "rix_auth: the login throttle failed, so attempts go uncounted: %s: %s"
        errors.warning(failing, type(error).__name__, error)
        return None
