"""``purge_sessions`` at scale, proved by the shape of its SQL rather than by timing it: every
query is bounded by a primary-key range or reads one id, so memory cannot grow with the table.

scripts/purge_bench.py measures a million rows (``make bench-purge``).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rix_auth.models import Session as SessionRow
from scripts.purge_bench import fill_dead_sessions

pytestmark = pytest.mark.django_db
TABLE = connection.ops.quote_name(SessionRow._meta.db_table)
IN_RANGE = re.compile(rf"{re.escape(TABLE)}\.{re.escape(connection.ops.quote_name('id'))} > ")


def purge(rows: int, batch_size: int) -> tuple[list[str], list[str]]:
    """Runs the command (verbosity 2: a progress line per batch); its SQL and its progress lines."""
    err = io.StringIO()
    with CaptureQueriesContext(connection) as captured:
        out = io.StringIO()
        call_command("purge_sessions", "--batch-size", str(batch_size), "--verbosity", "2", stdout=out, stderr=err)
    assert out.getvalue().startswith(f"Deleted {rows} session(s) expired or revoked before ")
    statements = [query["sql"] for query in captured.captured_queries]
    return [
        sql for sql in statements if not re.match(r"(BEGIN|COMMIT|SAVEPOINT|RELEASE)\b", sql)
    ], err.getvalue().splitlines()


def assert_bounded(statements: list[str], batches: int) -> None:
    selects = [sql for sql in statements if sql.startswith("SELECT")]
    deletes = [sql for sql in statements if sql.startswith("DELETE")]
    assert len(selects) + len(deletes) == len(statements), "only SELECTs and DELETEs"
    assert all(re.search(r"\bLIMIT 1\b", sql) for sql in selects), "each SELECT reads at most one id"
    assert all(IN_RANGE.search(sql) and " IN (" not in sql for sql in deletes), "each DELETE is a key range"
    assert len(deletes) == batches + 1  # and one for the range past the last full one


def test_dead_rows_among_live_ones_go_in_key_ranges_and_the_live_ones_stay() -> None:
    fill_dead_sessions(600)
    every_third = list(SessionRow.objects.order_by("pk").values_list("pk", flat=True))[2::3]
    SessionRow.objects.filter(pk__in=every_third).update(expires_at=timezone.now() + timedelta(days=1))
    statements, progress = purge(400, batch_size=100)
    assert set(SessionRow.objects.values_list("pk", flat=True)) == set(every_third)
    assert_bounded(statements, batches=6)  # 600 rows, dead or alive, walked 100 at a time
    assert len(progress) == 6 and progress[-1].startswith("deleted 400 session(s), ")


@pytest.mark.postgres
def test_fifty_thousand_dead_rows_go_in_bounded_batches() -> None:
    fill_dead_sessions(50_000)
    statements, progress = purge(50_000, batch_size=1000)
    assert not SessionRow.objects.exists()
    assert_bounded(statements, batches=50)
    assert len(progress) == 50 and progress[-1].startswith("deleted 50,000 session(s), ")
