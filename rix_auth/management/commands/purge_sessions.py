from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rix_auth import clock
from rix_auth.conf import get_auth, settings
from rix_auth.management.databases import add_database_option, sessions_on
from rix_auth.management.progress import Progress
from rix_auth.stores.base import StoreFailure


class Command(BaseCommand):
    help = (
        "Delete sessions that expired or were revoked more than the retention period ago, in batches that "
        "are each a short transaction of their own. Safe to run while another purge runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, metavar="DAYS",
                            help="retention in days (default: RIX_AUTH['PURGE_RETENTION_DAYS'], 30)")  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per DELETE (default 5000)")
        add_database_option(parser)

    def handle(self, *args: Any, older_than: int | None, dry_run: bool, batch_size: int, database: str | None,
               verbosity: int, **options: Any) -> None:  # fmt: skip
        days = settings.purge_retention_days if older_than is None else older_than
        if days < 0 or batch_size < 1:
            raise CommandError("--older-than must be 0 or more days and --batch-size at least 1.")
        before = clock.system_clock() - timedelta(days=days)
        store, total = sessions_on(get_auth().sessions, database), 0
        progress = Progress(self.stderr, self.style.HTTP_INFO, every_step=verbosity >= 2)
        try:
            for deleted in store.purge(before, batch_size=batch_size, dry_run=dry_run):
                total += deleted
                if not dry_run:
                    progress.step(total)
        except StoreFailure as error:
            raise CommandError(f"{error} {total} session(s) were deleted before the failure.") from error
        finally:
            progress.finish()
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {total} session(s) expired or revoked before {before:%Y-%m-%d %H:%M} UTC.")
