"""Sessions in a Django database, through the ``rix_auth.Session`` model.

The request path reads a session and its user's row in one hand-written,
indexed SELECT (building ORM querysets costs several times the query
itself); the user object is built from that row only when someone asks for
it. Writes use the ORM. Database errors surface as :class:`StoreFailure`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Self

from django.core.exceptions import ValidationError
from django.db import DatabaseError, router, transaction
from django.db.models import F

from rix_auth.conf import settings
from rix_auth.models import Session as SessionRow
from rix_auth.models import SessionEpoch, SessionQuerySet
from rix_auth.session import Revocation, Session, UserId
from rix_auth.stores import joined
from rix_auth.stores.base import Created, NewSession, SessionStore, StoreFailure


class _Superseded(Exception):
    """Rolls back a session insert that lost to a ``revoke_user``."""


class DatabaseSessionStore(SessionStore):
    """Sessions in the database ``alias``, or wherever the database routers send ``rix_auth.Session``.

    Every read, the request path's included, goes to the alias that takes the writes, so a session
    revoked a moment ago is refused at once. ``read_from_replica=True`` (``RIX_AUTH["READ_FROM_REPLICA"]``
    when left ``None``) sends the request path's lookup and ``for_user`` to ``db_for_read`` instead:
    less load on the primary, but for as long as the replica lags, a revoked or logged-out session
    still authenticates there. Writes, and reads that decide a write, always use the write alias.
    """

    def __init__(self, alias: str | None = None, *, read_from_replica: bool | None = None) -> None:
        self._pinned = alias
        self._read_from_replica = read_from_replica

    @property
    def alias(self) -> str:
        """Where writes go: the alias given, else the routers' ``db_for_write`` for sessions."""
        return self._pinned or router.db_for_write(SessionRow)

    @property
    def read_alias(self) -> str:
        """Where the request path reads: the write alias unless reads from a replica were chosen."""
        if self._pinned is not None:
            return self._pinned
        replica = settings.read_from_replica if self._read_from_replica is None else self._read_from_replica
        return router.db_for_read(SessionRow) if replica else router.db_for_write(SessionRow)

    def using(self, alias: str) -> Self:
        """A copy of this store (of a subclass too, with whatever it holds) pinned to ``alias``."""
        pinned = copy.copy(self)
        pinned._pinned = alias
        return pinned

    def epoch(self, user_id: UserId | None) -> int:
        with _store_errors():
            return self._epoch(user_id)

    def create(self, new: NewSession, *, epoch: int, max_live: int | None = None) -> Created | None:
        try:
            alias = self.alias
            with _store_errors(), transaction.atomic(using=alias):
                joined.lock_user(alias, new.user_id)
                evicted = 0 if max_live is None else self._evict_oldest(new.user_id, new.created_at, max_live - 1)
                self._rows.create(
                    digest=new.digest, public_id=new.public_id, user_id=new.user_id,
                    created_at=new.created_at, expires_at=new.expires_at, last_seen_at=new.created_at,
                    authenticated_at=new.authenticated_at, ip=new.ip, user_agent=new.user_agent,
                    credential=new.credential,
                )  # fmt: skip
                if self._epoch(new.user_id) != epoch:
                    raise _Superseded
        except _Superseded:
            return None
        session = Session(
            user_id=new.user_id, public_id=new.public_id, created_at=new.created_at,
            expires_at=new.expires_at, last_seen_at=new.created_at, authenticated_at=new.authenticated_at,
            ip=new.ip, user_agent=new.user_agent, credential=new.credential,
        )  # fmt: skip
        return Created(session, evicted)

    def get(self, digest: str) -> Session | None:
        try:  # the request path: a plain try costs less than the context manager the writes use
            # The digest is the unique key of an exact match: a caller picks the id, never its
            # digest, so the lookup's timing reveals nothing usable.
            return joined.query(self.read_alias).fetch(digest)
        except DatabaseError as error:
            raise _failure(error) from error

    def for_user(self, user_id: UserId) -> list[Session]:
        with _store_errors():
            rows = SessionRow.objects.using(self.read_alias).filter(user_id=user_id).order_by("-created_at", "-pk")
            return [joined.session_from_row(row) for row in rows.values_list(*joined.SESSION_FIELDS)]

    def extend(self, digest: str, *, now: datetime, expires_at: datetime) -> bool:
        with _store_errors():
            live = self._rows.filter(digest=digest).active(now)
            return bool(live.update(expires_at=expires_at, last_seen_at=now) == 1)

    def reauthenticated(self, digest: str, *, now: datetime) -> bool:
        with _store_errors():  # one conditional UPDATE: a revocation is either before it or after it
            live = self._rows.filter(digest=digest).active(now)
            return bool(live.update(authenticated_at=now) == 1)

    def revoke(self, digest: str, *, now: datetime, reason: str) -> Revocation | None:
        with _store_errors():
            live = self._rows.filter(digest=digest, revoked_at__isnull=True)
            revoked_now = live.update(revoked_at=now, revoke_reason=reason) == 1
            row = self._rows.filter(digest=digest).values_list(*joined.SESSION_FIELDS).first()
        return None if row is None else Revocation(joined.session_from_row(row), revoked_now=revoked_now)

    def revoke_public(
        self, public_id: str, *, now: datetime, reason: str, user_id: UserId | None = None
    ) -> Revocation | None:
        with _store_errors():
            mine = self._rows.filter(public_id=public_id)
            if user_id is not None:
                mine = mine.filter(user_id=user_id)
            digest = mine.values_list("digest", flat=True).first()
        return None if digest is None else self.revoke(digest, now=now, reason=reason)

    def purge(self, before: datetime, *, batch_size: int, dry_run: bool = False) -> Iterator[int]:
        """Walk the primary key from the first dead row in ranges of ``batch_size`` rows, dead or
        alive, deleting the dead ones of each range with one DELETE; yield each non-zero count.

        Every query is bounded by the range (the primary-key index answers it, whatever the
        planner knows of the table), no query reads more than one id, and each DELETE is its own
        short transaction: memory stays flat whatever the table holds, and a request waits at most
        for one range's row locks. Two purges at once delete each row once.
        """
        dead = self._rows.dead_before(before)
        with _store_errors():
            if dry_run:
                yield dead.count()
                return
            first = dead.order_by("pk").values_list("pk", flat=True).first()
        after = None if first is None else first - 1
        while after is not None:
            with _store_errors():
                end = _range_end(self._rows, after, batch_size)
                in_range = dead.filter(pk__gt=after) if end is None else dead.filter(pk__gt=after, pk__lte=end)
                deleted = in_range.delete()[0]
            if deleted:  # a range of live rows deletes nothing: a batch is rows deleted
                yield deleted
            after = end

    def revoke_user(self, user_id: UserId, *, now: datetime, reason: str) -> int:
        alias = self.alias
        with _store_errors(), transaction.atomic(using=alias):
            joined.lock_user(alias, user_id)
            epochs = SessionEpoch.objects.using(alias)
            if not epochs.filter(user_id=user_id).update(epoch=F("epoch") + 1):
                epochs.create(user_id=user_id, epoch=1)
            live = self._rows.filter(user_id=user_id, revoked_at__isnull=True)
            return int(live.update(revoked_at=now, revoke_reason=reason))

    def recredential(self, user_id: UserId, *, old: str, new: str) -> int:
        with _store_errors():
            mine = self._rows.filter(user_id=user_id, credential=old, revoked_at__isnull=True)
            return int(mine.update(credential=new))

    @property
    def _rows(self) -> SessionQuerySet:
        return SessionRow.objects.using(self.alias)

    def _epoch(self, user_id: UserId | None) -> int:
        epochs = SessionEpoch.objects.using(self.alias)
        try:
            found = epochs.filter(user_id__isnull=True) if user_id is None else epochs.filter(user_id=user_id)
            return found.values_list("epoch", flat=True).first() or 0
        except (ValueError, TypeError, ValidationError):  # not a key of the user model: no such user
            return 0

    def _evict_oldest(self, user_id: UserId, now: datetime, keep: int) -> int:
        live = self._rows.filter(user_id=user_id).active(now)
        oldest = list(live.order_by("-created_at", "-pk").values_list("pk", flat=True)[keep:])
        return self._rows.filter(pk__in=oldest).update(revoked_at=now, revoke_reason="eviction") if oldest else 0


def _range_end(rows: SessionQuerySet, after: int, size: int) -> int | None:
    """The primary key ``size`` rows past ``after``; ``None`` when fewer rows remain."""
    ends = list(rows.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[size - 1 : size])
    return ends[0] if ends else None


@contextmanager
def _store_errors() -> Iterator[None]:
    try:
        yield
    except DatabaseError as error:
        raise _failure(error) from error


def _failure(error: DatabaseError) -> StoreFailure:
    return StoreFailure(f"The session database failed: {type(error).__name__}.")
