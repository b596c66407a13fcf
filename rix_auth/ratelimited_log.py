"""Log a recurring failure at most once per period, counting the repeats held back.

During an outage every request fails the same way: one record a minute says so,
where one per request buries the log and, through ``AdminEmailHandler``, the inbox.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class RateLimitedLog:
    """Warnings through ``logger``, at most one per ``period`` seconds of ``clock``
    (monotonic by default; tests pass their own and never sleep)."""

    def __init__(
        self, logger: logging.Logger, *, period: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.logger = logger
        self.period = period
        self.clock = clock
        self.suppressed = 0
        self._next_at: float | None = None
        self._lock = threading.Lock()  # worker threads fail together; only one of them may log

    def warning(self, message: str, *args: object) -> bool:
        """Log ``message % args`` unless a record went out less than ``period`` ago; say whether it did.

        A record that follows held-back ones ends with their count, also in ``record.suppressed``.
        """
        now = self.clock()
        with self._lock:
            if self._next_at is not None and now < self._next_at:
                self.suppressed += 1
                return False
            held_back, self.suppressed, self._next_at = self.suppressed, 0, now + self.period
        if held_back:
            message, args = f"{message} (%d more since the last such record)", (*args, held_back)
        self.logger.warning(message, *args, extra={"suppressed": held_back})
        return True


store_errors = RateLimitedLog(logging.getLogger("rix_auth"))
"""The one per process for store failures, used by :meth:`rix_auth.service.Auth._attempt`."""
