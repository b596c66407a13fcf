"""The login throttle over a Django cache: ``RIX_AUTH["THROTTLE_CACHE"]``, ``"default"`` unless set.

Use a cache every process shares (Redis, Memcached, the database cache): a per-process
``LocMemCache`` counts each worker's attempts apart. Counters expire with their window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.cache import caches

from rix_auth.clock import Clock, current_time
from rix_auth.throttle import PREFIX, CountingThrottle, Limits


class CacheCounters:
    """:class:`~rix_auth.throttle.Counters` in the Django cache ``alias``, looked up at each use
    (Django keeps one connection per thread and drops them when ``CACHES`` changes)."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def get_many(self, keys: Sequence[str]) -> Mapping[str, int]:
        return caches[self.alias].get_many(keys)

    def incr(self, key: str, timeout: int) -> int:
        cache = caches[self.alias]
        if cache.add(key, 1, timeout):
            return 1
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between the two calls
            cache.set(key, 1, timeout)
            return 1

    def delete(self, key: str) -> None:
        caches[self.alias].delete(key)


class CacheThrottle(CountingThrottle):
    """:class:`~rix_auth.throttle.CountingThrottle` over the Django cache ``alias``; keys are keyed
    by ``SECRET_KEY`` unless ``secret`` is given."""

    def __init__(
        self,
        alias: str = "default",
        limits: Limits | None = None,
        *,
        clock: Clock = current_time,
        secret: bytes | None = None,
        prefix: str = PREFIX,
    ) -> None:
        if secret is None:
            secret = str(settings.SECRET_KEY).encode()
        super().__init__(CacheCounters(alias), limits, secret=secret, clock=clock, prefix=prefix)
        self.alias = alias
