from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import rix_auth
from rix_auth.management.lookup import find_user


class Command(BaseCommand):
    help = "Revoke every session of one user (for a compromised account). Safe to run again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="the user's id, email or username")

    def handle(self, *args: Any, user: str, **options: Any) -> None:
        found = find_user(user)
        result = rix_auth.database().logout_user(found.pk, reason="command")
        if result.error is not None:
            raise CommandError(result.error.message)
        self.stdout.write(f"Revoked {result.value} session(s) of user {found.pk}.")
