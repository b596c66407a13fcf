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
        session = result.value.session
        if result.value.revoked_now:
            self.stdout.write(f"Revoked session {handle} of user {session.user_id}.")
        else:
            self.stdout.write(f"Session {handle} was already revoked ({session.revoke_reason}).")
