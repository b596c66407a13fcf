"""Database sessions read through a shared cache, with revocations seen at once everywhere.

The database stays the source of truth; every write goes there first. The
request path reads one cache round trip (a ``get_many`` of the session's
entry, its version token and the cache-wide generation) and no SQL while the
entry is current: stamped with both tokens as they are now (see
:mod:`~rix_auth.stores.cache_versions`) and younger than ``ttl_seconds``.

- A reader stamps what it writes back with the tokens it fetched *before* its
  database read, so a copy read before a revocation and written after its
  invalidation carries the old token and is never accepted.
- A user's changes that send no signal (``QuerySet.update``) show within
  ``ttl_seconds``, the age limit of every entry.
- While the cache fails, reads go to the database (see
  :mod:`~rix_auth.stores.cache_guard`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import BaseCache, caches
from django.db import DatabaseError

from rix_auth.clock import Clock, current_time
from rix_auth.models import Session as SessionRow
from rix_auth.session import Holder, Revocation, Session, UserId
from rix_auth.stores import cache_reads
from rix_auth.stores.base import Created, NewSession, SessionStore
from rix_auth.stores.cache_entry import GENERATION_KEY, Entry, Stamp, decode, entry_key, version_key
from rix_auth.stores.cache_versions import Versions
from rix_auth.stores.database import DatabaseSessionStore


class CachedSessionStore(SessionStore):
    """A :class:`DatabaseSessionStore` fronted by the Django cache ``cache_alias``."""

    def __init__(
        self,
        inner: DatabaseSessionStore,
        cache_alias: str,
        *,
        ttl_seconds: int = 60,
        lease_seconds: int = 2,
        clock: Clock = current_time,
        ticks: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.cache_alias = cache_alias
        self.ttl_seconds = ttl_seconds
        self.lease_seconds = lease_seconds
        self.clock = clock
        self.ticks = ticks
        self.versions = Versions(lambda: self.cache, inner.alias, lease_seconds=lease_seconds, ticks=ticks)

    def using(self, alias: str) -> CachedSessionStore:
        """The same cache in front of database ``alias``: what a command's ``--database`` selects."""
        return CachedSessionStore(
            self.inner.using(alias), self.cache_alias, ttl_seconds=self.ttl_seconds,
            lease_seconds=self.lease_seconds, clock=self.clock, ticks=self.ticks,
        )  # fmt: skip

    @property
    def cache(self) -> BaseCache:
        return caches[self.cache_alias]

    def get(self, digest: str) -> Session | None:
        keys = [entry_key(digest), version_key(digest), GENERATION_KEY]
        reached, found = self.versions.guard.call(lambda: cache_reads.get_many(self.cache, keys))
        if not reached or found is None:
            return self.inner.get(digest)
        stamp = Stamp(found.get(keys[1]), found.get(keys[2]))
        if stamp.generation is not None:
            self.versions.renew_lease()
        fresh_after = self.clock() - timedelta(seconds=self.ttl_seconds)
        entry = decode(found.get(keys[0]), stamp, fresh_after=fresh_after)
        return self._fill(digest, stamp) if entry is None else self._session(entry)

    def create(self, new: NewSession, *, epoch: int, max_live: int | None = None) -> Created | None:
        created = self.inner.create(new, epoch=epoch, max_live=max_live)
        if created is not None and created.evicted:
            self._user_changed(new.user_id)
        return created

    def extend(self, digest: str, *, now: datetime, expires_at: datetime) -> bool:
        extended = self.inner.extend(digest, now=now, expires_at=expires_at)
        if extended:
            self.versions.invalidate([digest])
        return extended

    def reauthenticated(self, digest: str, *, now: datetime) -> bool:
        moved = self.inner.reauthenticated(digest, now=now)
        if moved:
            self.versions.invalidate([digest])
        return moved

    def revoke(self, digest: str, *, now: datetime, reason: str) -> Revocation | None:
        revocation = self.inner.revoke(digest, now=now, reason=reason)
        self.versions.invalidate([digest])
        return revocation

    def revoke_public(
        self, public_id: str, *, now: datetime, reason: str, user_id: UserId | None = None
    ) -> Revocation | None:
        revocation = self.inner.revoke_public(public_id, now=now, reason=reason, user_id=user_id)
        if revocation is not None:
            self.versions.invalidate(self._digests(public_id=public_id))
        return revocation

    def revoke_user(self, user_id: UserId, *, now: datetime, reason: str) -> int:
        count = self.inner.revoke_user(user_id, now=now, reason=reason)
        self._user_changed(user_id)
        return count

    def recredential(self, user_id: UserId, *, old: str, new: str) -> int:
        moved = self.inner.recredential(user_id, old=old, new=new)
        if moved:
            self._user_changed(user_id)
        return moved

    def purge(self, before: datetime, *, batch_size: int, dry_run: bool = False) -> Iterator[int]:
        """Purged sessions were revoked or expired already, and their entries say so until
        they age out; a lookup then finds no row."""
        return self.inner.purge(before, batch_size=batch_size, dry_run=dry_run)

    def epoch(self, user_id: UserId | None) -> int:
        return self.inner.epoch(user_id)

    def for_user(self, user_id: UserId) -> list[Session]:
        return self.inner.for_user(user_id)

    def forget_user(self, user_id: UserId) -> None:
        """The user is about to be deleted, with their sessions: void their entries once that commits."""
        self._user_changed(user_id)

    def _fill(self, digest: str, stamp: Stamp) -> Session | None:
        """Read the database and write the entry back, stamped with tokens fetched before the read.

        A session with no version token yet gets one after the read, for the next request to
        use: an id that names no session leaves nothing behind in the cache.
        """
        generation = stamp.generation or self.versions.claim(GENERATION_KEY)
        read_at = self.clock()
        session = self.inner.get(digest)
        if session is None or session.holder is None or generation is None:
            return session
        if stamp.version is None:
            self.versions.claim(version_key(digest))
        else:
            value = _entry(session, session.holder, read_at).encode(Stamp(stamp.version, generation))
            self.versions.guard.call(lambda: self.cache.set(entry_key(digest), value, self.ttl_seconds))
        return session

    def _session(self, entry: Entry) -> Session:
        user_id = get_user_model()._meta.pk.to_python(entry.user_id)
        holder = Holder(active=entry.user_active, credential=entry.user_credential, load=lambda: self._user(user_id))
        return Session(
            user_id, entry.public_id, entry.created_at, entry.expires_at, entry.last_seen_at, entry.authenticated_at,
            entry.revoked_at, entry.revoke_reason, credential=entry.credential, holder=holder,
        )  # fmt: skip

    def _user(self, user_id: UserId) -> Any:
        """``request.user`` of a cached session: one query, made only when someone reads it."""
        from django.contrib.auth.models import AnonymousUser  # needs the app registry

        users = get_user_model()._default_manager.using(self.inner.alias)
        return users.filter(pk=user_id).first() or AnonymousUser()

    def _user_changed(self, user_id: UserId) -> None:
        self.versions.invalidate(self._digests(user_id=user_id))

    def _digests(self, **lookup: Any) -> list[str]:
        """The digests of the matching rows; if they cannot be read, every entry is voided instead."""
        try:
            return list(SessionRow.objects.using(self.inner.alias).filter(**lookup).values_list("digest", flat=True))
        except DatabaseError:  # the change itself is stored: make every process read it
            self.versions.invalidate_all()
            return []


def _entry(session: Session, holder: Holder, read_at: datetime) -> Entry:
    return Entry(
        session.user_id if isinstance(session.user_id, int) else str(session.user_id), session.public_id,
        session.created_at, session.expires_at, session.last_seen_at, session.authenticated_at, session.revoked_at,
        session.revoke_reason, session.credential, holder.active, holder.credential, read_at,
    )  # fmt: skip


def cached(sessions: SessionStore, cache_alias: str, *, ttl_seconds: int) -> CachedSessionStore:
    """``sessions`` behind the cache ``cache_alias``; only database stores can be fronted."""
    if not isinstance(sessions, DatabaseSessionStore):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"RIX_AUTH['CACHE'] fronts the database session store; the configured store is {type(sessions).__name__}."
        )
    # Fills read the alias that takes the writes: a lagging replica would be copied into the cache.
    return CachedSessionStore(sessions.using(sessions.alias), cache_alias, ttl_seconds=ttl_seconds)
