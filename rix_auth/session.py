"""The Session value object: one login's server-side state."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime

from rix_auth.clock import system_clock

UserId = str | int
"""Memory user ids are ``user_…`` strings; database user ids are the user model's pk."""

REVOKE_REASONS = ("logout", "logout_user", "password_change", "deactivation", "admin", "command", "eviction")
"""Why a session was revoked; stored with it and sent with ``session_revoked``."""


@dataclass(frozen=True, slots=True)
class User:
    id: UserId
    email: str
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class Session:
    """A session as a store holds it.

    ``id`` is the secret and is only known right after login or when the
    caller supplied it (authenticate, refresh, logout); sessions read back
    from a listing carry ``""``. It is left out of ``repr`` so a session can
    be logged safely.
    """

    user_id: UserId
    public_id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None
    revoke_reason: str = ""
    ip: str | None = None
    user_agent: str = ""
    id: str = field(default="", repr=False, compare=False)

    def with_id(self, session_id: str) -> Session:
        """This session carrying its id (a plain copy: ``dataclasses.replace`` is slow on the hot path)."""
        return Session(
            self.user_id, self.public_id, self.created_at, self.expires_at, self.last_seen_at,
            self.revoked_at, self.revoke_reason, self.ip, self.user_agent, session_id,
        )  # fmt: skip

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def valid(self) -> bool:
        """Well formed: it names a user and a handle, and expires after it began."""
        return self.has_user_id() and bool(self.public_id) and self.expires_at > self.created_at

    def has_id(self, session_id: str | None = None) -> bool:
        """Whether the id is known, or (given one) whether it is this session's; constant time."""
        if session_id is None:
            return bool(self.id)
        return bool(self.id) and hmac.compare_digest(self.id.encode(), session_id.encode())

    def has_user_id(self) -> bool:
        return self.user_id not in (None, "")

    def belongs_to(self, user_id: UserId) -> bool:
        return self.has_user_id() and str(self.user_id) == str(user_id)

    def expired(self, now: datetime | None = None) -> bool:
        return (now or system_clock()) >= self.expires_at

    def usable(self, now: datetime | None = None) -> bool:
        """Valid, not revoked and not expired: what authenticate accepts."""
        return self.valid() and not self.revoked and not self.expired(now)

    def refreshable(self, now: datetime | None = None) -> bool:
        """Only a usable session may be extended."""
        return self.usable(now)


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    session: Session


@dataclass(frozen=True, slots=True)
class Revocation:
    session: Session
    revoked_now: bool
    """False when the session had already been revoked before this call."""
