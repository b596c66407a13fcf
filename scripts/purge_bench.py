"""How fast ``purge_sessions`` deletes dead sessions, and how much memory it takes to do it.

    make bench-purge                                  # PostgreSQL, 1,000,000 rows
    RIX_AUTH_TEST_DATABASE=mysql python -m scripts.purge_bench --rows 200000

Creates a scratch test database (``rix_auth_test`` plus ``RIX_AUTH_TEST_DB_SUFFIX``, here
``_purge_bench`` unless set), fills it with dead sessions in one INSERT … SELECT run by the server,
then times the command and reads the process's peak resident memory (``VmHWM``, reset first through
``/proc/self/clear_refs``) against what it held before the purge. The scratch database is dropped
at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django

ROWS, BATCH_SIZE = 1_000_000, 5000  # the command's default batch
_PADDED = {  # vendor: SQL writing the number ``i`` as ``{width}`` characters
    "postgresql": "lpad(CAST(i AS text), {width}, '0')",
    "mysql": "LPAD(i, {width}, '0')",
    "sqlite": "substr('{zeros}' || i, -{width})",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS, help=f"dead sessions to purge (default {ROWS:,})")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"rows per DELETE (default {BATCH_SIZE})")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.setdefault("RIX_AUTH_TEST_DB_SUFFIX", "_purge_bench")
    django.setup()
    from django.db import connection

    original = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(measure(options.rows, options.batch_size))
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


def measure(rows: int, batch_size: int) -> str:
    """Fill, purge, and say how it went. Like ``fill_dead_sessions``, it imports Django's parts
    when called: ``main`` (or the test run) has set Django up by then."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    fill_dead_sessions(rows)
    filled = time.perf_counter() - started
    baseline = _reset_peak()
    started = time.perf_counter()
    call_command("purge_sessions", "--batch-size", str(batch_size), stdout=(out := io.StringIO()))
    elapsed = time.perf_counter() - started
    growth = (_kib("VmHWM") - baseline) / 1024
    return (
        f"{connection.vendor}: filled {rows:,} dead sessions in {filled:.1f} s; {out.getvalue().strip()}\n"
        f"purge: {elapsed:.2f} s, {rows / elapsed:,.0f} rows/s, batches of {batch_size}, "
        f"peak RSS growth {growth:.1f} MiB"
    )


def fill_dead_sessions(rows: int) -> None:
    """``rows`` sessions of one user, all expired 60 days ago, written by the server itself."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from rix_auth.models import Session

    user = get_user_model()._default_manager.create_user("purge-bench", "bench@example.com", "not-used-123")
    meta, vendor = Session._meta, connection.vendor
    pad = _PADDED[vendor]
    columns = ("digest", "public_id", "user_id", "created_at", "expires_at", "last_seen_at", "authenticated_at",
               "revoke_reason", "user_agent", "credential")  # fmt: skip
    values = (
        pad.format(width=64, zeros="0" * 64), pad.format(width=16, zeros="0" * 16), "%s", "%s", "%s", "%s", "%s",
        "''", "''", "''",
    )  # fmt: skip
    quote = connection.ops.quote_name
    column = {field.attname: field.column for field in meta.concrete_fields if field.column}
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(column[name]) for name in columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {_numbered(vendor)}"
    )
    expired = datetime.now(UTC) - timedelta(days=60)
    moment = connection.ops.adapt_datetimefield_value(expired)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, moment, moment, moment, moment, rows])


def _numbered(vendor: str) -> str:
    """A FROM clause numbering rows 1..%s as ``i``: ``generate_series`` on PostgreSQL, elsewhere
    seven cross-joined tables of digits (up to ten million rows)."""
    if vendor == "postgresql":
        return "generate_series(1, %s) AS g(i)"
    digits = " UNION ALL ".join(f"SELECT {digit} AS d" for digit in range(10))
    number = " + ".join(f"{10**at} * d{at}.d" for at in range(7))
    tables = " CROSS JOIN ".join(f"({digits}) d{at}" for at in range(7))
    return f"(SELECT 1 + {number} AS i FROM {tables}) numbers WHERE i <= %s"  # noqa: S608  (no input in it)


def _reset_peak() -> int:
    """The resident set now, in KiB, after resetting the peak to it where Linux allows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        print("note: the peak could not be reset; the growth counts from the process's earlier peak", file=sys.stderr)
        return _kib("VmHWM")
    return _kib("VmRSS")


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}: this benchmark needs Linux")


if __name__ == "__main__":
    main()
