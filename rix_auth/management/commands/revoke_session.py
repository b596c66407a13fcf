from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rix_auth.management.databases import add_database_option, auth_on
from rix_auth.management.text import SESSION_ID_GIVEN, looks_secret, shown
from rix_auth.session import RevokeReason

HANDLE_EXPECTED = "pass the 16-character handle shown by list_sessions."


class Command(BaseCommand):
    help = "Revoke one session by its public handle (as shown by list_sessions and the admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("handle", help="the session's public handle, 16 hexadecimal characters")
        add_database_option(parser)

    def handle(self, *args: Any, handle: str, database: str | None, **options: Any) -> None:
        if looks_secret(handle):  # never echo it: terminals, logs and CI output keep what commands print
            raise CommandError(SESSION_ID_GIVEN + HANDLE_EXPECTED)
        result = auth_on(database).revoke_session(handle, reason=RevokeReason.COMMAND)
        if result.error is not None:
            raise CommandError(f"{result.error.message} ({result.error.code.value}: {handle!r})")
        session = result.value.session
        if result.value.revoked_now:
            self.stdout.write(f"Revoked session {handle} of user {shown(session.user_id)}.")
        else:
            self.stdout.write(f"Session {handle} was already revoked ({shown(session.revoke_reason)}).")
