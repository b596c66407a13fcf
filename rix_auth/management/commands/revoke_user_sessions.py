from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rix_auth.management.databases import add_database_option, auth_on
from rix_auth.management.lookup import find_user
from rix_auth.management.text import shown
from rix_auth.session import RevokeReason


class Command(BaseCommand):
    help = "Revoke every session of one user (for a compromised account). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="the user's id, email or username")
        add_database_option(parser)

    def handle(self, *args: Any, user: str, database: str | None, **options: Any) -> None:
        auth = auth_on(database)
        found = find_user(user, database)
        result = auth.logout_user(found.pk, reason=RevokeReason.COMMAND)
        if result.error is not None:
            raise CommandError(result.error.message)
        self.stdout.write(f"Revoked {result.value} session(s) of user {shown(found.pk)}.")
