"""What the session cache holds, and under which keys.

One entry per session, keyed by the digest (never the id), holds only what
the request path validates: the session's state and its user's live state
(active flag, credential fingerprint). Device fields stay in the database.

Each entry is stamped with the two version tokens it was read under: its
session's and the cache-wide generation. A reader accepts an entry only if
both still match the tokens fetched in the same round trip, so any
invalidation (a new token) voids every copy read before it, including a copy
a slow reader writes back afterwards. A missing token never matches.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

FORMAT = 1
PREFIX = f"rix:{FORMAT}"
GENERATION_KEY = f"{PREFIX}:g"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def entry_key(digest: str) -> str:
    return f"{PREFIX}:s:{digest}"


def version_key(digest: str) -> str:
    return f"{PREFIX}:v:{digest}"


def new_token() -> str:
    """A version token: random, so a token recreated after eviction never equals an old one."""
    return secrets.token_urlsafe(9)


@dataclass(frozen=True, slots=True)
class Stamp:
    """The session's version token and the cache-wide generation, as one read saw them."""

    version: str | None
    generation: str | None

    @property
    def complete(self) -> bool:
        return self.version is not None and self.generation is not None


@dataclass(frozen=True, slots=True)
class Entry:
    """A session and its user's live state, as read from the database at ``read_at``."""

    user_id: int | str
    public_id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    authenticated_at: datetime
    revoked_at: datetime | None
    revoke_reason: str
    credential: str
    user_active: bool
    user_credential: str
    read_at: datetime

    def encode(self, stamp: Stamp) -> str:
        """Compact JSON: well under 512 bytes for any session."""
        revoked = None if self.revoked_at is None else _micros(self.revoked_at)
        return json.dumps(
            [FORMAT, self.user_id, self.public_id, _micros(self.created_at), _micros(self.expires_at),
             _micros(self.last_seen_at), _micros(self.authenticated_at), revoked, self.revoke_reason,
             self.credential, int(self.user_active), self.user_credential, _micros(self.read_at),
             stamp.version, stamp.generation],
            separators=(",", ":"),
        )  # fmt: skip


def decode(value: object, stamp: Stamp, *, fresh_after: datetime) -> Entry | None:
    """The entry in ``value`` if it is current: same stamp, read after ``fresh_after``, our format."""
    if not isinstance(value, str) or not stamp.complete:
        return None
    try:
        fields = json.loads(value)
        (fmt, user_id, public_id, created, expires, last_seen, authenticated, revoked, reason, credential, active,
         user_credential, read_at, version, generation) = fields  # fmt: skip
    except (ValueError, TypeError):
        return None
    if fmt != FORMAT or version != stamp.version or generation != stamp.generation:
        return None
    entry = Entry(
        user_id, public_id, _time(created), _time(expires), _time(last_seen), _time(authenticated),
        None if revoked is None else _time(revoked), reason, credential, bool(active), user_credential, _time(read_at),
    )  # fmt: skip
    return entry if entry.read_at > fresh_after else None


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


def _time(micros: int) -> datetime:
    return _EPOCH + micros * _MICROSECOND
