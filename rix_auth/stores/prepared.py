"""The request path's SELECT as a server-side prepared statement, on PostgreSQL with psycopg 3.

PostgreSQL plans each statement it receives, and planning the session-and-user join costs it
several times what running it does. A prepared statement is parsed once per connection, and
after its first few runs PostgreSQL keeps one plan for it. Django binds parameters on the client
and prepares nothing unless told to, so this one statement gets a cursor of its own that binds on
the server and prepares. Every other query runs as Django runs it.

Nothing is prepared where it cannot pay or may break:

- on a connection that lives for one request (``CONN_MAX_AGE`` 0 and no pool), where preparing
  would only add a round trip;
- where a transaction-mode connection pooler may run each transaction on another server
  connection: under ``DISABLE_SERVER_SIDE_CURSORS`` (which Django asks for with transaction
  pooling), or when the database's ``OPTIONS`` set ``prepare_threshold`` to ``None``.

A statement gone stale (see ``STALE``) closes its connection; the caller may run the lookup once
more on a fresh one.
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

try:
    import psycopg
except ImportError:  # psycopg 2, or no PostgreSQL driver at all: nothing here is used
    psycopg = None  # type: ignore[assignment]

# Why a prepared statement can fail where the same SQL would not: the server no longer has it
# ("prepared statement does not exist": a pooler's DISCARD ALL behind the driver's back), or a
# migration changed the type of a column it returns ("cached plan must not change result type").
STALE = frozenset({"26000", "0A000"})


def allowed(connection: BaseDatabaseWrapper) -> bool:
    """Whether the lookup on ``connection`` may be a prepared statement."""
    if psycopg is None or connection.vendor != "postgresql":
        return False
    settings, options = connection.settings_dict, connection.settings_dict.get("OPTIONS", {})
    turned_off = "prepare_threshold" in options and options["prepare_threshold"] is None
    reused = settings.get("CONN_MAX_AGE") != 0 or bool(options.get("pool"))
    return reused and not (turned_off or settings.get("DISABLE_SERVER_SIDE_CURSORS"))


if psycopg is not None:

    class PreparingCursor(psycopg.Cursor[Any]):
        """Binds on the server and prepares every statement it runs: the lookup is its only one."""

        def execute(
            self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
        ) -> Any:
            super().execute(query, params, prepare=True, binary=binary)
            if self._query is None:  # running a prepared statement leaves it unset; Django's query log reads it
                self._query = self._convert_query(query, params)
            return self


def cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor of Django's for ``connection`` (queries counted and logged, errors translated, as
    ``connection.cursor()`` gives) over a :class:`PreparingCursor`."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if not isinstance(raw, psycopg.Connection):  # psycopg 2
        return connection.cursor()
    if raw.prepare_threshold is None:
        # psycopg prepares nothing while it is None; a count no statement reaches lets this one,
        # asked with prepare=True, through and leaves every other as it was.
        raw.prepare_threshold = sys.maxsize
    with connection.wrap_database_errors:
        prepared = PreparingCursor(raw)
    connection.validate_thread_sharing()
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    return wrap(prepared)  # type: ignore[arg-type]  # the stubs name the wrapper where Django takes the driver's cursor


def stale(error: DatabaseError) -> bool:
    """Whether ``error`` means the connection's prepared statement can no longer run."""
    return getattr(error.__cause__, "sqlstate", None) in STALE
