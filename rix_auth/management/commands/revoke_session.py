from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import rix_auth


class Command(BaseCommand):
    help = "Revoke one session by its public handle (as shown by list_sessions and the admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("handle", help="the session's public handle, 16 hexadecimal characters")

    def handle(self, *args: Any, handle: str, **options: Any) -> None:
        result = rix_auth.database().revoke_session(handle, reason="command")
        if result.error is not None:
            raise CommandError(f"{result.error.message} ({result.error.code.value}: {handle!r})")
        if result.value.revoke_reason != "command":
            self.stdout.write(f"Session {handle} was already revoked ({result.value.revoke_reason}).")
        else:
            self.stdout.write(f"Revoked session {handle} of user {result.value.user_id}.")
