"""Version tokens and the generation lease: how every cached copy of a changed session is voided.

Each entry is stamped with its session's version token and the cache-wide
generation (see :mod:`~rix_auth.stores.cache_entry`); changing either voids it.

- A change to a session replaces its version token once the change's transaction
  commits: until then a reader still sees the old row, and writes it back under
  the old token.
- The generation is a lease of ``lease_seconds`` in the cache that readers renew
  while they reach it. An invalidation that cannot reach the cache retries until
  it lands or until the lease has run out there, nobody having been able to
  renew it meanwhile, and only then lets the revocation return: every entry
  written before the outage is void when the cache comes back, even to a worker
  that saw no failure. A worker that did see one replaces the generation on
  recovery (see :mod:`~rix_auth.stores.cache_guard`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.core.cache import BaseCache
from django.db import transaction

from rix_auth.stores.cache_entry import GENERATION_KEY, new_token, version_key
from rix_auth.stores.cache_guard import CacheGuard

TOKEN_TTL_SECONDS = 7 * 24 * 3600
"""Version tokens outlive the entries they stamp; one lost to eviction only costs a miss."""
LEASE_MARGIN_SECONDS = 0.5
"""Slack for the cache's clock and a renewal still in flight when the outage began."""


class Versions:
    """The tokens of one session cache, for sessions stored in the database ``database``."""

    def __init__(
        self,
        cache: Callable[[], BaseCache],
        database: str,
        *,
        lease_seconds: int = 2,
        ticks: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cache = cache
        self.database = database
        self.lease_seconds = lease_seconds
        self.ticks = ticks
        self.guard = CacheGuard(self.new_generation, clock=ticks)
        self._renewed_at = -float(lease_seconds)  # two threads renewing at once only renew twice

    def claim(self, key: str) -> str | None:
        """A new token under ``key`` (a version or the generation), or ``None`` if one is there already."""
        token, ttl = new_token(), self.lease_seconds if key == GENERATION_KEY else TOKEN_TTL_SECONDS
        reached, added = self.guard.call(lambda: self.cache().add(key, token, ttl))
        if reached and added and key == GENERATION_KEY:
            self._renewed_at = self.ticks()
        return token if reached and added else None

    def renew_lease(self) -> None:
        """Extend the generation's lease (never recreate it) once a third of it has passed."""
        now = self.ticks()
        if now - self._renewed_at >= self.lease_seconds / 3:
            self._renewed_at = now
            self.guard.call(lambda: self.cache().touch(GENERATION_KEY, self.lease_seconds))

    def invalidate(self, digests: Iterable[str]) -> None:
        """New version tokens for these sessions, once the change is committed."""
        keys = [version_key(digest) for digest in digests]
        if keys:
            transaction.on_commit(lambda: self._bump(keys), using=self.database)

    def invalidate_all(self) -> None:
        """A new generation, once the change is committed: for a change whose sessions are unknown."""
        transaction.on_commit(lambda: self._must(self.new_generation), using=self.database)

    def new_generation(self) -> None:
        self.cache().set(GENERATION_KEY, new_token(), self.lease_seconds)
        self._renewed_at = self.ticks()

    def _bump(self, keys: list[str]) -> None:
        token = new_token()
        self._must(lambda: self.cache().set_many(dict.fromkeys(keys, token), TOKEN_TTL_SECONDS))

    def _must(self, write: Callable[[], object]) -> None:
        """Land ``write``, or wait (retrying) until the generation's lease has lapsed in the cache."""
        if not self.guard.call(write)[0]:
            self.guard.outlast(write, self.lease_seconds + LEASE_MARGIN_SECONDS)
