"""Keep a failing cache off the request path, and let it back in safely.

The first failed cache call opens the guard: for ``retry_seconds`` every call
is skipped (the caller reads the database), so an outage costs one timeout
per retry period, not one per request. The next call after that is a probe
that first runs ``on_recovery``; only if it succeeds does the cache serve
again. The session cache's ``on_recovery`` replaces the cache-wide
generation, voiding every entry written before the outage.

A write that must not be lost (an invalidation) uses :meth:`CacheGuard.outlast`:
it retries until it lands or until a lease that nobody could renew during
the outage has run out in the cache.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from rix_auth.ratelimited_log import RateLimitedLog

T = TypeVar("T")

cache_errors = RateLimitedLog(logging.getLogger("rix_auth"))
"""At most one warning a minute per process while the session cache fails."""


class CacheGuard:
    """Runs cache calls; thread-safe."""

    def __init__(
        self,
        on_recovery: Callable[[], object],
        *,
        retry_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        log: RateLimitedLog = cache_errors,
    ) -> None:
        self.on_recovery = on_recovery
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.sleep = sleep
        self.log = log
        self._retry_at: float | None = None  # None: the cache is trusted
        self._failed_at = 0.0  # the first failure of the current outage
        self._lock = threading.Lock()

    @property
    def open(self) -> bool:
        """Whether a failure was seen and no probe has succeeded since."""
        return self._retry_at is not None

    def call(self, operation: Callable[[], T]) -> tuple[bool, T | None]:
        """``(True, result)``, or ``(False, None)`` when the call failed or was skipped."""
        if self._retry_at is not None and not self._probe():
            return False, None
        try:
            return True, operation()
        except Exception as error:  # any cache error: the caller falls back to the database
            self.fail(error)
            return False, None

    def fail(self, error: BaseException) -> None:
        """Open the guard (again) for ``retry_seconds``, and say so at most once a minute."""
        with self._lock:
            if self._retry_at is None:
                self._failed_at = self.clock()
            self._retry_at = self.clock() + self.retry_seconds
        self.log.warning("rix_auth: the session cache failed (%s); sessions are read from the database", _name(error))

    def outlast(self, operation: Callable[[], object], lease_seconds: float, *, pause: float = 0.05) -> bool:
        """Retry ``operation`` while the guard is open, until it succeeds (then ``True``) or until
        ``lease_seconds`` after the outage began, when a lease renewed only through the cache has
        run out there (then ``False``); blocks the caller that long at most."""
        deadline = self._failed_at + lease_seconds
        while self.open and self.clock() < deadline:
            self.sleep(pause)
            try:
                operation()
            except Exception:  # noqa: S112  (still down: the deadline decides)
                continue
            return True
        return not self.open

    def _probe(self) -> bool:
        """One caller per retry period tries ``on_recovery``; the others keep skipping."""
        with self._lock:
            if self._retry_at is None:
                return True
            if self.clock() < self._retry_at:
                return False
            self._retry_at = self.clock() + self.retry_seconds
        try:
            self.on_recovery()
        except Exception as error:
            self.fail(error)
            return False
        with self._lock:
            self._retry_at = None
        return True


def _name(error: BaseException) -> str:
    """The error's type only: a cache client's message may quote the keys it was given."""
    return type(error).__name__
