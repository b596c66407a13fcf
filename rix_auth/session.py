"""The Session value object: one login's server-side state, and the user behind it."""

from __future__ import annotations

import enum
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rix_auth.clock import system_clock
from rix_auth.error import gettext_lazy

UserId = str | int
"""Memory user ids are ``user_…`` strings; database user ids are the user model's pk."""


class RevokeReason(enum.StrEnum):
    """Why a session was revoked; stored with it and sent with ``session_revoked``."""

    LOGOUT = "logout"
    LOGOUT_USER = "logout_user"
    PASSWORD_CHANGE = "password_change"  # noqa: S105
    DEACTIVATION = "deactivation"
    ADMIN = "admin"
    COMMAND = "command"
    EVICTION = "eviction"

    @property
    def label(self) -> str:
        """For people, in the language active when it is shown."""
        return _REASON_LABELS[self]


_REASON_LABELS = {
    RevokeReason.LOGOUT: gettext_lazy("Logout"),
    RevokeReason.LOGOUT_USER: gettext_lazy("Logout of every session"),
    RevokeReason.PASSWORD_CHANGE: gettext_lazy("Password change"),
    RevokeReason.DEACTIVATION: gettext_lazy("Account deactivated"),
    RevokeReason.ADMIN: gettext_lazy("Revoked by an administrator"),
    RevokeReason.COMMAND: gettext_lazy("Revoked by a management command"),
    RevokeReason.EVICTION: gettext_lazy("Too many sessions"),
}


@dataclass(frozen=True, slots=True)
class User:
    """A user as Auth sees it.

    ``credential`` is the fingerprint of the user's current password hash (see
    :mod:`rix_auth.credentials`); a session remembers the one it was opened
    under. ``native`` is the store's own user object (a Django model instance
    for the database stores), or ``None``.
    """

    id: UserId
    email: str
    is_active: bool = True
    credential: str = field(default="", repr=False, compare=False)
    native: Any = field(default=None, repr=False, compare=False)

    is_authenticated = True  # so a memory user can stand in request.user
    is_anonymous = False


class Holder:
    """A session's user as it is now: what the live-state check reads, and the user itself.

    Stores that read the user together with the session (the database store
    joins the user's row) hand it over here, so ``user()`` costs no query.
    """

    __slots__ = ("_load", "_user", "active", "credential")

    def __init__(self, *, active: bool, credential: str, load: Callable[[], Any]) -> None:
        self.active = active
        self.credential = credential
        self._load = load
        self._user: Any = None

    def user(self) -> Any:
        """The user object, built on first use and then kept."""
        if self._user is None:
            self._user = self._load()
        return self._user

    def __repr__(self) -> str:
        return f"Holder(active={self.active!r})"


@dataclass(frozen=True, slots=True)
class Session:
    """A session as a store holds it.

    ``id`` is the secret and is only known right after login or when the
    caller supplied it (authenticate, refresh, logout); sessions read back
    from a listing carry ``""``. It is left out of ``repr`` so a session can
    be logged safely. ``credential`` is the user's credential fingerprint when
    the session was opened; ``holder`` is the user as read with the session.
    ``authenticated_at`` is when the user last proved who they are on this
    session: its creation (a password login or ``start_session``), then each
    ``reauthenticate``; a refresh never moves it.
    """

    user_id: UserId
    public_id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    authenticated_at: datetime
    revoked_at: datetime | None = None
    revoke_reason: str = ""
    ip: str | None = None
    user_agent: str = ""
    id: str = field(default="", repr=False, compare=False)
    credential: str = field(default="", repr=False, compare=False)
    holder: Holder | None = field(default=None, repr=False, compare=False)

    def with_id(self, session_id: str, holder: Holder | None = None) -> Session:
        """This session carrying its id (a plain copy: ``dataclasses.replace`` is slow on the hot path)."""
        return Session(
            self.user_id, self.public_id, self.created_at, self.expires_at, self.last_seen_at, self.authenticated_at,
            self.revoked_at, self.revoke_reason, self.ip, self.user_agent, session_id, self.credential,
            holder or self.holder,
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

    def authenticated_within(self, seconds: float, now: datetime | None = None) -> bool:
        """Whether the user proved who they are on this session at most ``seconds`` before ``now``."""
        return ((now or system_clock()) - self.authenticated_at).total_seconds() <= seconds


@dataclass(frozen=True, slots=True)
class LoginResult:
    user: User
    session: Session


@dataclass(frozen=True, slots=True)
class SessionUse:
    """A usable session, and whether using it just refreshed it (one write)."""

    session: Session
    refreshed: bool = False


@dataclass(frozen=True, slots=True)
class Revocation:
    session: Session
    revoked_now: bool
    """False when the session had already been revoked before this call."""
