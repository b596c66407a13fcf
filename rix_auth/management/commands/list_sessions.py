from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rix_auth.management.databases import add_database_option
from rix_auth.management.listing import as_json, as_table
from rix_auth.management.lookup import find_user
from rix_auth.models import Session
from rix_auth.stores.database import DatabaseSessionStore


class Command(BaseCommand):
    help = (
        "List sessions newest first, as a table or as JSON. Never shows session ids, their digests or raw "
        "control characters."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="only this user's sessions (id, email or username)")
        parser.add_argument("--active", action="store_true", help="only sessions that can still be used")
        parser.add_argument("--limit", type=int, default=100, help="show at most this many (default 100)")
        parser.add_argument("--format", choices=("table", "json"), default="table", help="table (default) or json")
        add_database_option(parser)

    def handle(self, *args: Any, user: str | None, active: bool, limit: int, format: str, database: str | None,
               **options: Any) -> None:  # fmt: skip
        if limit < 0:
            raise CommandError("--limit must be 0 or more.")
        alias = _read_alias(database)
        now, rows = timezone.now(), Session.objects.using(alias).select_related("user").order_by("-created_at", "-pk")
        if user is not None:
            rows = rows.filter(user=find_user(user, alias))
        if active:
            rows = rows.active(now)
        shown = list(rows[:limit])
        self.stdout.write(as_json(shown, now) if format == "json" else "\n".join(as_table(shown, now)))


def _read_alias(database: str | None) -> str:
    """``--database``, else where the request path reads sessions (``READ_FROM_REPLICA`` included)."""
    return database or DatabaseSessionStore().read_alias
