"""Management commands: exact output, exit status, bad arguments."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F

import rix_auth
from rix_auth.clock import ManualClock
from rix_auth.devices import device_name
from rix_auth.models import Session as SessionRow
from tests.conftest import EMAIL, PASSWORD

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def auth(clock: ManualClock) -> rix_auth.Auth:
    return rix_auth.database("default", rix_auth.config.development().set_session_ttl_seconds(3600), clock=clock)


@pytest.fixture
def grace(auth: rix_auth.Auth) -> object:
    user = auth.register_user(EMAIL, PASSWORD).value
    for _ in range(3):
        auth.login(EMAIL, PASSWORD)
    return get_user_model().objects.get(pk=user.id)


@pytest.mark.parametrize("identifier", ["pk", EMAIL, "GRACE@example.com"])
def test_revoke_user_sessions_finds_the_user_by_pk_or_email_and_is_idempotent(grace: object, identifier: str) -> None:
    name = str(grace.pk) if identifier == "pk" else identifier  # type: ignore[attr-defined]
    assert run("revoke_user_sessions", name) == f"Revoked 3 session(s) of user {grace.pk}.\n"  # type: ignore[attr-defined]
    assert run("revoke_user_sessions", name) == f"Revoked 0 session(s) of user {grace.pk}.\n"  # type: ignore[attr-defined]
    assert set(SessionRow.objects.values_list("revoke_reason", flat=True)) == {"command"}


def test_revoke_user_sessions_finds_a_user_by_username(auth: rix_auth.Auth) -> None:
    admin = get_user_model().objects.create_user("admin", "admin@example.com", PASSWORD)
    assert run("revoke_user_sessions", "admin") == f"Revoked 0 session(s) of user {admin.pk}.\n"


def test_an_unknown_user_is_a_command_error(db: None) -> None:
    with pytest.raises(CommandError, match=r"No user matches 'nobody@example\.com'"):
        run("revoke_user_sessions", "nobody@example.com")


def test_revoke_session_by_handle(grace: object) -> None:
    handle = SessionRow.objects.first().public_id  # type: ignore[union-attr]
    assert run("revoke_session", handle) == f"Revoked session {handle} of user {grace.pk}.\n"  # type: ignore[attr-defined]
    assert run("revoke_session", handle) == f"Session {handle} was already revoked (command).\n"
    assert SessionRow.objects.filter(revoked_at__isnull=True).count() == 2


@pytest.mark.parametrize(("handle", "message"), [("nonsense", "invalid_input"), ("0" * 16, "invalid_session")])
def test_revoke_session_with_a_bad_handle_fails(db: None, handle: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("revoke_session", handle)


CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"


def test_list_sessions_shows_email_full_state_and_device_without_secrets(grace: object, auth: rix_auth.Auth) -> None:
    SessionRow.objects.update(user_agent=CHROME, ip="203.0.113.9")
    auth.logout_user(grace.pk)  # type: ignore[attr-defined]
    auth.login(EMAIL, PASSWORD, user_agent=CHROME)
    output = run("list_sessions", "--user", EMAIL)
    lines = output.splitlines()
    assert lines[0].split() == ["HANDLE", "USER", "STATE", "DEVICE", "CREATED", "LAST", "SEEN", "IP"]
    assert len(lines) == 5 and all(EMAIL in line and device_name(CHROME) in line for line in lines[1:])
    assert sum("revoked (logout_user)  " in line for line in lines) == 3  # whole, then the column gap
    assert sum(" active  " in line for line in lines) == 1
    assert all(row.digest not in output for row in SessionRow.objects.all())
    assert len(run("list_sessions", "--active").splitlines()) == 2


def test_list_sessions_as_json_has_one_object_per_session_and_no_secret(grace: object, auth: rix_auth.Auth) -> None:
    session_id = auth.login(EMAIL, PASSWORD, ip="203.0.113.9", user_agent=CHROME).value.session.id
    output = run("list_sessions", "--format", "json", "--limit", "2")
    listed = json.loads(output)
    newest = SessionRow.objects.order_by("-created_at", "-pk").first()
    assert newest is not None and len(listed) == 2
    assert listed[0] == {
        "handle": newest.public_id, "user_id": grace.pk, "email": EMAIL, "status": "active",  # type: ignore[attr-defined]
        "revoke_reason": None, "device": device_name(CHROME), "user_agent": CHROME, "ip": "203.0.113.9",
        "created_at": newest.created_at.isoformat(), "last_seen_at": newest.last_seen_at.isoformat(),
        "authenticated_at": newest.authenticated_at.isoformat(), "expires_at": newest.expires_at.isoformat(),
        "revoked_at": None,
    }  # fmt: skip
    assert session_id not in output and session_id[8:] not in output and newest.digest not in output
    assert len(output.splitlines()) == 4  # one line per session between the brackets
    assert run("list_sessions", "--format", "json", "--limit", "0") == "[]\n"


def test_list_sessions_for_an_unknown_user_fails(db: None) -> None:
    with pytest.raises(CommandError, match="No user matches"):
        run("list_sessions", "--user", "ghost")


def test_purge_deletes_only_sessions_dead_for_longer_than_the_retention(
    grace: object, auth: rix_auth.Auth, clock: ManualClock
) -> None:
    old = SessionRow.objects.order_by("pk")
    SessionRow.objects.filter(pk=old[0].pk).update(expires_at=old[0].expires_at - timedelta(days=40))
    SessionRow.objects.filter(pk=old[1].pk).update(revoked_at=old[1].created_at - timedelta(days=31))
    SessionRow.objects.filter(pk=old[2].pk).update(revoked_at=old[2].created_at - timedelta(days=29))
    clock.advance(0)
    dry = run("purge_sessions", "--dry-run")
    assert dry.startswith("Would delete 2 session(s) expired or revoked before ")
    assert SessionRow.objects.count() == 3
    assert run("purge_sessions", "--batch-size", "1").startswith("Deleted 2 session(s)")
    assert SessionRow.objects.count() == 1
    assert run("purge_sessions").startswith("Deleted 0 session(s)")
    assert run("purge_sessions", "--older-than", "0").startswith("Deleted 1 session(s)")


def test_list_sessions_refuses_a_negative_limit(db: None) -> None:
    with pytest.raises(CommandError, match="--limit must be 0 or more"):
        run("list_sessions", "--limit", "-1")


@pytest.mark.parametrize("args", [["--older-than", "-1"], ["--batch-size", "0"]])
def test_purge_refuses_nonsense_arguments(db: None, args: list[str]) -> None:
    with pytest.raises(CommandError, match="--older-than must be 0 or more days"):
        run("purge_sessions", *args)


def test_every_command_has_help() -> None:
    for name in ("revoke_user_sessions", "revoke_session", "list_sessions", "purge_sessions"):
        out = io.StringIO()
        with pytest.raises(SystemExit) as exited:
            call_command(name, "--help", stdout=out)
        assert exited.value.code == 0


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


PROGRESS = r"deleted {} session\(s\), (-|[\d,]+)/s, \d+\.\d s elapsed"


def test_purge_shows_progress_on_a_terminal_in_place(grace: object) -> None:
    SessionRow.objects.update(revoked_at=SessionRow.objects.first().created_at - timedelta(days=60))  # type: ignore[union-attr]
    terminal, out = Terminal(), io.StringIO()
    call_command("purge_sessions", "--batch-size", "2", stdout=out, stderr=terminal)
    assert re.fullmatch("\r" + PROGRESS.format(2) + "\r" + PROGRESS.format(3) + "\n", terminal.getvalue())
    assert out.getvalue().startswith("Deleted 3 session(s)")


@pytest.mark.parametrize(("verbosity", "lines"), [(1, []), (2, ["1", "2", "3"])])
def test_purge_elsewhere_shows_a_line_per_batch_only_when_verbose(
    grace: object, verbosity: int, lines: list[str]
) -> None:
    SessionRow.objects.update(revoked_at=SessionRow.objects.first().created_at - timedelta(days=60))  # type: ignore[union-attr]
    err = io.StringIO()
    call_command("purge_sessions", "--batch-size", "1", "--verbosity", str(verbosity), stdout=io.StringIO(), stderr=err)
    shown = err.getvalue().splitlines()
    assert len(shown) == len(lines) and all(
        re.fullmatch(PROGRESS.format(n), line) for n, line in zip(lines, shown, strict=True)
    )


def test_a_dry_run_shows_no_progress(grace: object) -> None:
    terminal = Terminal()
    call_command("purge_sessions", "--dry-run", "--older-than", "0", stdout=io.StringIO(), stderr=terminal)
    assert terminal.getvalue() == ""


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        (["revoke_session", "nonsense"], 1, "CommandError: A session handle is 16 lowercase hexadecimal characters."),
        (["revoke_session"], 2, "the following arguments are required: handle"),
        (["purge_sessions", "--batch-size", "many"], 2, "invalid int value: 'many'"),
    ],
)
def test_failures_exit_non_zero_from_the_command_line(args: list[str], status: int, says: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "django", *args, "--settings", "tests.settings"],
        capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert (done.returncode, says in done.stderr) == (status, True), done.stderr


def test_an_identifier_matching_several_users_asks_for_the_id(db: None) -> None:
    model = get_user_model()
    model.objects.create_user("first", "shared@example.com", PASSWORD)
    model.objects.create_user("second", "shared@example.com", PASSWORD)
    with pytest.raises(CommandError, match="matches several users; pass the user's id instead"):
        run("revoke_user_sessions", "shared@example.com")


SESSION_ID = "session_" + "Ab3-_" * 8 + "xyz"
PASTED = [SESSION_ID, f"Bearer {SESSION_ID}", SESSION_ID.removeprefix("session_"), "session_short", "'session_"]


@pytest.mark.parametrize("pasted", PASTED, ids=["an id", "a header", "its body", "a short one", "quoted"])
def test_revoke_session_never_echoes_what_looks_like_a_session_id(grace: object, pasted: str) -> None:
    with pytest.raises(CommandError) as refused:
        run("revoke_session", pasted)
    assert str(refused.value) == (
        "That looks like a session id, which is secret: pass the 16-character handle shown by list_sessions."
    )
    assert SessionRow.objects.filter(revoked_at__isnull=True).count() == 3


@pytest.mark.parametrize("command", [["revoke_user_sessions"], ["list_sessions", "--user"]])
@pytest.mark.parametrize("pasted", PASTED, ids=["an id", "a header", "its body", "a short one", "quoted"])
def test_user_lookups_never_echo_what_looks_like_a_session_id(grace: object, command: list[str], pasted: str) -> None:
    with pytest.raises(CommandError) as refused:
        run(*command, pasted)
    assert str(refused.value) == "That looks like a session id, which is secret: pass the user's id, email or username."


def test_a_real_session_id_pasted_on_the_command_line_stays_off_the_terminal(auth: rix_auth.Auth) -> None:
    auth.register_user(EMAIL, PASSWORD)
    session_id = auth.login(EMAIL, PASSWORD).value.session.id
    done = subprocess.run(
        [sys.executable, "-m", "django", "revoke_session", session_id, "--settings", "tests.settings"],
        capture_output=True, text=True, check=False, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert done.returncode == 1 and session_id not in done.stdout + done.stderr
    assert done.stderr == (
        "CommandError: That looks like a session id, which is secret: "
        "pass the 16-character handle shown by list_sessions.\n"
    )


def test_a_user_whose_name_starts_like_an_id_is_still_found(auth: rix_auth.Auth) -> None:
    user = get_user_model().objects.create_user("session_admin", "ops@example.com", PASSWORD)
    assert run("revoke_user_sessions", "session_admin") == f"Revoked 0 session(s) of user {user.pk}.\n"


def test_list_sessions_escapes_control_characters_in_stored_text(grace: object) -> None:
    SessionRow.objects.update(revoke_reason="admin\x1b]0;owned\x07\r\n\u202e", revoked_at=F("created_at"))
    table, as_json = run("list_sessions"), run("list_sessions", "--format", "json")
    assert table.count("revoked (admin\\x1b]0;owned\\x07\\x0d\\x0a\\u202e)") == 3
    assert "\x1b" not in table + as_json and "\u202e" not in table + as_json
    assert {entry["revoke_reason"] for entry in json.loads(as_json)} == {"admin\x1b]0;owned\x07\r\n\u202e"}


def test_revoke_session_escapes_a_stored_revoke_reason(grace: object) -> None:
    row = SessionRow.objects.first()
    assert row is not None
    SessionRow.objects.filter(pk=row.pk).update(revoked_at=row.created_at, revoke_reason="admin\x1b[8m")
    assert run("revoke_session", row.public_id) == f"Session {row.public_id} was already revoked (admin\\x1b[8m).\n"


@pytest.mark.parametrize("command", [["revoke_user_sessions", EMAIL], ["revoke_session", "0" * 16], ["list_sessions"],
                                     ["purge_sessions"]])  # fmt: skip
def test_every_command_refuses_an_unknown_database(db: None, command: list[str]) -> None:
    with pytest.raises(CommandError, match="argument --database: invalid choice: 'elsewhere'"):
        run(*command, "--database", "elsewhere")


@pytest.mark.parametrize("command", [["revoke_user_sessions", EMAIL], ["revoke_session", "0" * 16], ["purge_sessions"]])
def test_database_needs_the_database_stores(grace: object, settings: Any, command: list[str]) -> None:
    settings.RIX_AUTH = {"PRESET": "development", "SESSION_STORE": "rix_auth.stores.memory_sessions"}
    with pytest.raises(
        CommandError, match=r"--database needs the database stores; .*'SESSION_STORE'.*MemorySessionStore"
    ):
        run(*command, "--database", "default")
