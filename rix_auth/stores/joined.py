"""The request path's one query: a session row joined to its user's row.

The SELECT reads every concrete column of the user, as ``select_related``
would, so the live-state check (active, credential) and ``request.user``
cost no second query. The user instance is only built, with Django's own
column converters, when someone asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

from rix_auth.credentials import fingerprint
from rix_auth.models import Session as SessionRow
from rix_auth.session import Holder, Session, UserId
from rix_auth.stores import prepared

SESSION_FIELDS = (
    "user", "public_id", "created_at", "expires_at", "last_seen_at", "authenticated_at",
    "revoked_at", "revoke_reason", "ip", "user_agent", "credential",
)  # fmt: skip
_USER_START = len(SESSION_FIELDS)


Converter = tuple[int, list[Any], Any]
"""A user column's position, Django's converters for it, and the column expression they expect."""


@dataclass(frozen=True)
class JoinedQuery:
    """The SQL for one database alias and how to read its rows."""

    alias: str
    sql: str
    user_model: type[Model]
    attnames: list[str]
    converters: tuple[Converter, ...]
    active_at: int | None
    password_at: int | None
    prepares: bool

    def fetch(self, digest: str) -> Session | None:
        """The session whose digest is ``digest``, with its user's row; ``None`` when there is none."""
        connection = connections[self.alias]
        try:
            row = self._row(connection, digest)
        except DatabaseError as error:
            if not (self.prepares and prepared.stale(error)):
                raise
            connection.close()  # its prepared statement goes with it
            if connection.in_atomic_block:  # the transaction is lost anyway: no second try in it
                raise
            row = self._row(connection, digest)  # prepared afresh on a new connection
        return None if row is None else self.session(row)

    def _row(self, connection: BaseDatabaseWrapper, digest: str) -> tuple[Any, ...] | None:
        with (prepared.cursor(connection) if self.prepares else connection.cursor()) as cursor:
            cursor.execute(self.sql, [digest])
            row: tuple[Any, ...] | None = cursor.fetchone()
            return row

    def session(self, row: tuple[Any, ...]) -> Session:
        values = row[_USER_START:]
        active = True if self.active_at is None else bool(values[self.active_at])
        credential = fingerprint(None if self.password_at is None else values[self.password_at])
        return session_from_row(row, Holder(active=active, credential=credential, load=lambda: self._user(values)))

    def _user(self, values: tuple[Any, ...]) -> Model:
        """The user instance, converted as the ORM would convert the same row."""
        connection, converted = connections[self.alias], list(values)
        for at, functions, column in self.converters:
            for convert in functions:
                converted[at] = convert(converted[at], column, connection)
        return self.user_model.from_db(self.alias, self.attnames, converted)


def _converters(alias: str, model: type[Model], fields: tuple[Field[Any, Any], ...]) -> tuple[Converter, ...]:
    connection, found = connections[alias], []
    for at, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            found.append((at, functions, column))
    return tuple(found)


@lru_cache(maxsize=16)
def query(alias: str) -> JoinedQuery:
    """Built once per alias (and user model: ``forget`` drops it when settings change)."""
    quote, sessions = connections[alias].ops.quote_name, SessionRow._meta
    user_model = get_user_model()
    users = user_model._meta
    user_fields = tuple(users.local_concrete_fields)  # a parent table's columns would need another join
    session_table, user_table = quote(sessions.db_table), quote(users.db_table)

    def column(table: str, field: Any) -> str:
        return f"{table}.{quote(field.column)}"

    # Short table aliases: SQLite's driver wrapper scans the whole statement on every execute.
    columns = [column("s", sessions.get_field(name)) for name in SESSION_FIELDS]
    columns += [column("u", field) for field in user_fields]
    names = [field.name for field in user_fields]
    # Identifiers come from the models' metadata, quoted; the digest is a parameter.
    sql = (
        f"SELECT {', '.join(columns)} FROM {session_table} s "  # noqa: S608
        f"INNER JOIN {user_table} u ON ({column('s', sessions.get_field('user'))} = {column('u', users.pk)}) "
        f"WHERE {column('s', sessions.get_field('digest'))} = %s"
    )
    return JoinedQuery(
        alias=alias,
        sql=sql,
        user_model=user_model,
        attnames=[field.attname for field in user_fields],
        converters=_converters(alias, user_model, user_fields),
        active_at=names.index("is_active") if "is_active" in names else None,
        password_at=names.index("password") if "password" in names else None,
        prepares=prepared.allowed(connections[alias]),
    )


def forget(*, setting: str, **kwargs: object) -> None:
    """A ``setting_changed`` receiver: the SQL depends on the user model and the databases."""
    if setting in ("AUTH_USER_MODEL", "DATABASES"):
        query.cache_clear()


def session_from_row(row: tuple[Any, ...], holder: Holder | None = None) -> Session:
    """A Session from the session columns that start ``row`` (in ``SESSION_FIELDS`` order)."""
    (user_id, public_id, created_at, expires_at, last_seen_at, authenticated_at, revoked_at, reason, ip, user_agent,
     credential) = row[:11]  # fmt: skip
    if created_at.tzinfo is None:  # SQLite's raw rows are naive; Django stores them in UTC
        created_at = created_at.replace(tzinfo=UTC)
        expires_at = expires_at.replace(tzinfo=UTC)
        last_seen_at = last_seen_at.replace(tzinfo=UTC)
        authenticated_at = authenticated_at.replace(tzinfo=UTC)
        revoked_at = revoked_at and revoked_at.replace(tzinfo=UTC)
    return Session(
        user_id, public_id, created_at, expires_at, last_seen_at, authenticated_at, revoked_at, reason, ip, user_agent,
        "", credential, holder,
    )  # fmt: skip


def lock_user(alias: str, user_id: UserId) -> None:
    """Serialise session creation with ``revoke_user`` for one user (a no-op on SQLite,
    whose writers are serialised by the database lock anyway)."""
    features = connections[alias].features
    if features.has_select_for_update:
        users = get_user_model()._default_manager.using(alias).filter(pk=user_id)
        no_key = features.has_select_for_no_key_update
        list(users.select_for_update(no_key=no_key).values_list("pk", flat=True))
