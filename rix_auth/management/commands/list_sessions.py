from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from rix_auth.management.lookup import find_user
from rix_auth.management.text import shown
from rix_auth.models import Session

COLUMNS = "{:<16}  {:>7}  {:<25}  {:<16}  {:<16}  {:<15}  {}"


class Command(BaseCommand):
    help = "List sessions as a table, newest first. Never shows session ids or raw control characters."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="only this user's sessions (id, email or username)")
        parser.add_argument("--active", action="store_true", help="only sessions that can still be used")
        parser.add_argument("--limit", type=int, default=100, help="show at most this many (default 100)")

    def handle(self, *args: Any, user: str | None, active: bool, limit: int, **options: Any) -> None:
        now, rows = timezone.now(), Session.objects.order_by("-created_at", "-pk")
        if user is not None:
            rows = rows.filter(user=find_user(user))
        if active:
            rows = rows.active(now)
        self.stdout.write(COLUMNS.format("HANDLE", "USER", "STATE", "CREATED", "LAST SEEN", "IP", "USER AGENT"))
        for row in rows[:limit]:
            self.stdout.write(COLUMNS.format(
                row.public_id, shown(row.user_id), shown(row.state(now)), f"{row.created_at:%Y-%m-%d %H:%M}",
                f"{row.last_seen_at:%Y-%m-%d %H:%M}", row.ip or "-", shown(row.user_agent[:40]) or "-",
            ))  # fmt: skip
