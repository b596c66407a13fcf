"""Sessions in a Django database, through the ``rix_auth.Session`` model.

Reads on the request path go through one hand-written indexed SELECT on the
digest: building ORM querysets costs several times the query itself.
Writes use the ORM. Database errors surface as :class:`StoreFailure`.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections, transaction
from django.db.models import F, Q, QuerySet

from rix_auth.models import Session as SessionRow
from rix_auth.models import SessionEpoch
from rix_auth.session import Session, UserId
from rix_auth.stores.base import Created, NewSession, SessionStore, StoreFailure

_FIELDS = (
    "digest", "user", "public_id", "created_at", "expires_at", "last_seen_at",
    "revoked_at", "revoke_reason", "ip", "user_agent",
)  # fmt: skip


class _Superseded(Exception):
    """Rolls back a session insert that lost to a ``revoke_user``."""


class DatabaseSessionStore(SessionStore):
    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def epoch(self, user_id: UserId | None) -> int:
        with _store_errors():
            return self._epoch(user_id)

    def create(self, new: NewSession, *, epoch: int, max_live: int | None = None) -> Created | None:
        try:
            with _store_errors(), transaction.atomic(using=self.alias):
                self._lock_user(new.user_id)
                evicted = 0 if max_live is None else self._evict_oldest(new.user_id, new.created_at, max_live - 1)
                self._rows.create(
                    digest=new.digest, public_id=new.public_id, user_id=new.user_id,
                    created_at=new.created_at, expires_at=new.expires_at, last_seen_at=new.created_at,
                    ip=new.ip, user_agent=new.user_agent,
                )  # fmt: skip
                if self._epoch(new.user_id) != epoch:
                    raise _Superseded
        except _Superseded:
            return None
        session = Session(
            user_id=new.user_id, public_id=new.public_id, created_at=new.created_at,
            expires_at=new.expires_at, last_seen_at=new.created_at, ip=new.ip, user_agent=new.user_agent,
        )  # fmt: skip
        return Created(session, evicted)

    def get(self, digest: str) -> Session | None:
        try:  # the request path: a plain try costs less than the context manager the writes use
            with connections[self.alias].cursor() as cursor:
                cursor.execute(_select_by_digest(self.alias), [digest])
                row = cursor.fetchone()
        except DatabaseError as error:
            raise _failure(error) from error
        if row is None or not hmac.compare_digest(row[0], digest):
            return None
        return _session_from_row(row)

    def for_user(self, user_id: UserId) -> list[Session]:
        with _store_errors():
            rows = self._rows.filter(user_id=user_id).order_by("-created_at", "-pk").values_list(*_FIELDS)
            return [_session_from_row(row) for row in rows]

    def extend(self, digest: str, *, now: datetime, expires_at: datetime) -> bool:
        with _store_errors():
            live = self._rows.filter(digest=digest, revoked_at__isnull=True, expires_at__gt=now)
            return bool(live.update(expires_at=expires_at, last_seen_at=now) == 1)

    def revoke(self, digest: str, *, now: datetime, reason: str) -> Session | None:
        with _store_errors():
            self._rows.filter(digest=digest, revoked_at__isnull=True).update(revoked_at=now, revoke_reason=reason)
        return self.get(digest)

    def revoke_public(
        self, public_id: str, *, now: datetime, reason: str, user_id: UserId | None = None
    ) -> Session | None:
        with _store_errors():
            mine = self._rows.filter(public_id=public_id)
            if user_id is not None:
                mine = mine.filter(user_id=user_id)
            digest = mine.values_list("digest", flat=True).first()
        return None if digest is None else self.revoke(digest, now=now, reason=reason)

    def purge(self, before: datetime, *, batch_size: int, dry_run: bool = False) -> Iterator[int]:
        dead = self._rows.filter(Q(expires_at__lt=before) | Q(revoked_at__lt=before))
        if dry_run:
            with _store_errors():
                yield dead.count()
            return
        last_pk = 0
        while True:
            with _store_errors():
                batch = list(dead.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
                if not batch:
                    return
                last_pk = batch[-1]
                yield self._rows.filter(pk__in=batch).delete()[0]

    def revoke_user(self, user_id: UserId, *, now: datetime, reason: str) -> int:
        with _store_errors(), transaction.atomic(using=self.alias):
            self._lock_user(user_id)
            epochs = SessionEpoch.objects.using(self.alias)
            if not epochs.filter(user_id=user_id).update(epoch=F("epoch") + 1):
                epochs.create(user_id=user_id, epoch=1)
            live = self._rows.filter(user_id=user_id, revoked_at__isnull=True)
            return int(live.update(revoked_at=now, revoke_reason=reason))

    @property
    def _rows(self) -> QuerySet[SessionRow]:
        return SessionRow.objects.using(self.alias)

    def _epoch(self, user_id: UserId | None) -> int:
        epochs = SessionEpoch.objects.using(self.alias)
        found = epochs.filter(user_id__isnull=True) if user_id is None else epochs.filter(user_id=user_id)
        return found.values_list("epoch", flat=True).first() or 0

    def _lock_user(self, user_id: UserId) -> None:
        """Serialise session creation with ``revoke_user`` for one user (a no-op on SQLite,
        whose writers are serialised by the database lock anyway)."""
        features = connections[self.alias].features
        if features.has_select_for_update:
            users = get_user_model()._default_manager.using(self.alias).filter(pk=user_id)
            no_key = features.has_select_for_no_key_update
            list(users.select_for_update(no_key=no_key).values_list("pk", flat=True))

    def _evict_oldest(self, user_id: UserId, now: datetime, keep: int) -> int:
        live = self._rows.filter(user_id=user_id, revoked_at__isnull=True, expires_at__gt=now)
        oldest = list(live.order_by("-created_at", "-pk").values_list("pk", flat=True)[keep:])
        return self._rows.filter(pk__in=oldest).update(revoked_at=now, revoke_reason="eviction") if oldest else 0



@lru_cache(maxsize=16)
def _select_by_digest(alias: str) -> str:
    meta, quote = SessionRow._meta, connections[alias].ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _FIELDS)  # type: ignore[union-attr,arg-type]
    digest = quote(meta.get_field("digest").column)  # type: ignore[arg-type]
    # Identifiers come from the model's metadata, quoted; the digest is a parameter.
    return f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {digest} = %s"  # noqa: S608


def _session_from_row(row: tuple) -> Session:  # type: ignore[type-arg]
    _, user_id, public_id, created_at, expires_at, last_seen_at, revoked_at, reason, ip, user_agent = row
    if created_at.tzinfo is None:  # SQLite's raw rows are naive; Django stores them in UTC
        return Session(
            user_id, public_id, created_at.replace(tzinfo=UTC), expires_at.replace(tzinfo=UTC),
            last_seen_at.replace(tzinfo=UTC), revoked_at and revoked_at.replace(tzinfo=UTC), reason, ip, user_agent,
        )  # fmt: skip
    return Session(user_id, public_id, created_at, expires_at, last_seen_at, revoked_at, reason, ip, user_agent)


@contextmanager
def _store_errors() -> Iterator[None]:
    try:
        yield
    except DatabaseError as error:
        raise _failure(error) from error


def _failure(error: DatabaseError) -> StoreFailure:
    return StoreFailure(f"The session database failed: {type(error).__name__}.")
