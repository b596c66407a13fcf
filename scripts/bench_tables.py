"""Tables of a busy site for the benchmark: every path looks its row up among ``ROWS`` rows of
``USERS`` users, not one; the database's statistics see as many owners as a live table has."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from rix_auth import tokens
from rix_auth.models import Session
from rix_auth.session import UserId

ROWS, USERS = 100_000, 10_000
PREFIX = "owner-"  # of the other users' usernames


def copies(template: Model, count: int, **fresh: Callable[[], object]) -> None:
    """``count`` rows like ``template``, each with new values from ``fresh`` (by attribute name),
    written in one go: ``bulk_create`` would spend most of the setup building model instances."""
    meta = template._meta
    fields = {
        field.column: field
        for field in meta.concrete_fields
        if field.column and (field is not meta.pk or field.attname in fresh)  # else the database numbers the row
    }
    same = [field.get_db_prep_save(field.pre_save(template, add=True), connection) for field in fields.values()]
    makers = [fresh.get(field.attname) for field in fields.values()]
    rows = [tuple(make() if make else value for make, value in zip(makers, same, strict=True)) for _ in range(count)]
    write(meta.db_table, list(fields), rows)


def write(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """The rows, then statistics as a live table has them (on PostgreSQL, so that no autovacuum
    run starts while the paths are timed). Identifiers come from model metadata, quoted."""
    quote = connection.ops.quote_name
    into = f"{quote(table)} ({', '.join(map(quote, columns))})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # psycopg 3's COPY: many times faster than INSERTs there
            with cursor.cursor.copy(f"COPY {into} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"VACUUM ANALYZE {quote(table)}")
        else:
            cursor.executemany(f"INSERT INTO {into} VALUES ({', '.join(['%s'] * len(columns))})", rows)  # noqa: S608
            cursor.execute(f"ANALYZE {quote(table)}")


def add_users(count: int) -> list[UserId]:
    """The primary keys of ``count`` new users, who have no password."""
    model = get_user_model()
    copies(model(), count, **{model.USERNAME_FIELD: lambda: f"{PREFIX}{secrets.token_hex(8)}@example.com"})
    added = model._default_manager.filter(**{f"{model.USERNAME_FIELD}__startswith": PREFIX})
    return list(added.values_list("pk", flat=True))


def add_sessions(count: int, owners: Callable[[], UserId]) -> None:
    """``count`` active rix_auth sessions, each of the user ``owners()`` names, with random digests:
    no id of theirs exists."""
    now = timezone.now()
    template = Session(created_at=now, expires_at=now + timedelta(days=1), last_seen_at=now, authenticated_at=now)
    copies(
        template,
        count,
        digest=lambda: secrets.token_hex(tokens.DIGEST_LENGTH // 2),
        public_id=tokens.new_public_id,
        user_id=owners,
    )
