"""What ``list_sessions`` shows of a session: a table for people, JSON for programs.

Neither ever holds a session id or its digest; the table escapes control characters in stored
text (JSON escapes them itself).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model

from rix_auth.devices import device_name
from rix_auth.management.text import shown
from rix_auth.models import Session

HEADINGS = ("HANDLE", "USER", "STATE", "DEVICE", "CREATED", "LAST SEEN", "IP")


def as_table(rows: Iterable[Session], now: datetime) -> list[str]:
    """Lines of a table whose columns are as wide as their widest cell: nothing is cut."""
    cells = [HEADINGS, *([shown(cell) for cell in _cells(row, now)] for row in rows)]
    widths = [max(len(line[at]) for line in cells) for at in range(len(HEADINGS))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in cells]


def as_json(rows: Sequence[Session], now: datetime) -> str:
    """A JSON array with one object per session, one line each."""
    return "[\n" + ",\n".join(json.dumps(_fields(row, now)) for row in rows) + "\n]" if rows else "[]"


def email_of(row: Session) -> str:
    return str(getattr(row.user, get_user_model().get_email_field_name(), "") or "")


def _cells(row: Session, now: datetime) -> Sequence[str]:
    return (
        row.public_id, email_of(row) or str(row.user_id), row.state(now), device_name(row.user_agent),
        f"{row.created_at:%Y-%m-%d %H:%M}", f"{row.last_seen_at:%Y-%m-%d %H:%M}", row.ip or "-",
    )  # fmt: skip


def _fields(row: Session, now: datetime) -> dict[str, Any]:
    moments = ("created_at", "last_seen_at", "authenticated_at", "expires_at", "revoked_at")
    return {
        "handle": row.public_id, "user_id": row.user_id, "email": email_of(row), "status": row.status(now),
        "revoke_reason": row.revoke_reason or None, "device": device_name(row.user_agent),
        "user_agent": row.user_agent, "ip": row.ip,
        **{name: (moment.isoformat() if (moment := getattr(row, name)) else None) for name in moments},
    }  # fmt: skip
