"""The Auth service: the one home of rix_auth's business rules.

Stores persist; views, middleware and commands call in here. Every public
method returns a :class:`~rix_auth.result.Result` and never raises: a store
failure becomes ``store_error``, and no error path returns a session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from rix_auth import events, inputs, signals, tokens
from rix_auth.clock import Clock, system_clock
from rix_auth.config import AuthConfig, development
from rix_auth.emails import canonical_email, valid_email
from rix_auth.error import AuthError, AuthErrorCode
from rix_auth.result import Result
from rix_auth.session import REVOKE_REASONS, LoginResult, Revocation, Session, User, UserId
from rix_auth.stores.base import InputRejected, NewSession, SessionStore, UserExists, UserStore

logger = logging.getLogger("rix_auth")

T = TypeVar("T")
Code = AuthErrorCode

_REVOKED_DURING_LOGIN = "All sessions of this account were revoked during the login; log in again."


def _fail(code: AuthErrorCode, message: str | None = None) -> Result[T]:
    return Result.failure(AuthError(code, message))


class Auth:
    """Register, log in, authenticate, refresh and log out, over any pair of stores."""

    def __init__(
        self,
        *,
        users: UserStore,
        sessions: SessionStore,
        config: AuthConfig | None = None,
        clock: Clock = system_clock,
    ) -> None:
        self.users = users
        self.sessions = sessions
        self.config = config or development()
        self.clock = clock

    def register_user(self, email: str, password: str) -> Result[User]:
        """Create an active user; the email is trimmed, validated and matched case-insensitively."""
        if not isinstance(email, str) or not valid_email(canonical_email(email)):
            return _fail(Code.INVALID_INPUT, "Enter a valid email address.")
        if not inputs.acceptable_password(password):
            return _fail(Code.INVALID_INPUT, inputs.BAD_PASSWORD)
        return self._attempt(lambda: self._register(canonical_email(email), password))

    def login(self, email: str, password: str, *, ip: str | None = None, user_agent: str = "") -> Result[LoginResult]:
        """Check the password and open a session; unknown email and wrong password look alike."""
        if not isinstance(email, str) or not inputs.acceptable_password(password):
            return _fail(Code.INVALID_INPUT, inputs.BAD_LOGIN)
        if ip is not None and not inputs.is_ip(ip):
            return _fail(Code.INVALID_INPUT, "The client address is not an IPv4 or IPv6 address.")
        if not isinstance(user_agent, str):
            return _fail(Code.INVALID_INPUT, "The user agent must be a string.")
        result = self._attempt(lambda: self._login(canonical_email(email), password, ip, user_agent))
        return events.reported(Auth, result, "login")

    def authenticate_session(self, session_id: str, *, refresh_if_idle_for: int | None = None) -> Result[Session]:
        """The usable session ``session_id`` names, or why it is refused.

        With ``refresh_if_idle_for``, a session last seen at least that many
        seconds ago is also refreshed (one write), for sliding expiry.
        """
        return events.reported(Auth, self._attempt(lambda: self._use(session_id, refresh_if_idle_for)), "authenticate")

    def refresh_session(self, session_id: str) -> Result[Session]:
        """Extend a usable session to ``now + ttl`` (capped by the absolute lifetime)."""
        return events.reported(Auth, self._attempt(lambda: self._refresh(session_id)), "refresh")

    def logout(self, session_id: str) -> Result[None]:
        """Revoke the session; logging out a revoked or expired session still succeeds."""
        return self._attempt(lambda: self._logout(session_id))

    def logout_user(self, user_id: UserId, *, reason: str = "logout_user") -> Result[int]:
        """Revoke every session of the user, including any a login in flight is creating."""
        if reason not in REVOKE_REASONS:
            return _fail(Code.INVALID_INPUT, inputs.BAD_REASON)
        return self._attempt(lambda: self._logout_user(user_id, reason))

    def revoke_session(self, public_id: str, *, reason: str, user_id: UserId | None = None) -> Result[Revocation]:
        """Revoke one session by its public handle (only the user's own, given ``user_id``).

        Succeeds for an already revoked session too; ``revoked_now`` tells them apart.
        """
        if not tokens.looks_like_public_id(public_id):
            return _fail(Code.INVALID_INPUT, inputs.BAD_HANDLE)
        if reason not in REVOKE_REASONS:
            return _fail(Code.INVALID_INPUT, inputs.BAD_REASON)
        return self._attempt(lambda: self._revoke_public(public_id, reason, user_id))

    def sessions_of(self, user_id: UserId) -> Result[list[Session]]:
        """Every session of the user, newest first, without their ids."""
        return self._attempt(lambda: Result.success(self.sessions.for_user(user_id)))

    def _register(self, email: str, password: str) -> Result[User]:
        try:
            return Result.success(self.users.create(email, password))
        except UserExists:
            return _fail(Code.USER_ALREADY_EXISTS)
        except InputRejected as rejected:
            return _fail(Code.INVALID_INPUT, " ".join(rejected.messages))

    def _login(self, email: str, password: str, ip: str | None, user_agent: str) -> Result[LoginResult]:
        account = self.users.find_by_email(email) if valid_email(email) else None
        # Read before the password check, and for unknown emails too, so both paths cost the same.
        epoch = self.sessions.epoch(account.user.id if account else None)
        if account is None:
            self.users.check_dummy_password(password)
            return _fail(Code.INVALID_CREDENTIALS)
        if not self.users.check_password(account, password):
            return _fail(Code.INVALID_CREDENTIALS)
        if not account.user.is_active:
            return _fail(Code.USER_DISABLED)
        session_id, now = tokens.new_session_id(), self.clock()
        new = NewSession(
            digest=tokens.digest(session_id),
            public_id=tokens.new_public_id(),
            user_id=account.user.id,
            created_at=now,
            expires_at=self._expiry(now, now),
            ip=ip,
            user_agent=user_agent[: inputs.MAX_USER_AGENT_LENGTH],
        )
        created = self.sessions.create(new, epoch=epoch, max_live=self.config.max_sessions_per_user)
        if created is None:
            return _fail(Code.SESSION_REVOKED, _REVOKED_DURING_LOGIN)
        if created.evicted:
            signals.session_revoked.send_robust(
                Auth, user_id=account.user.id, reason="eviction", count=created.evicted, public_id=None
            )
        signals.session_created.send_robust(Auth, session=created.session, user=account.user)
        return Result.success(LoginResult(account.user, created.session.with_id(session_id)))

    def _usable(self, session_id: str) -> Result[Session]:
        if not tokens.looks_like_session_id(session_id):
            return _fail(Code.INVALID_INPUT, inputs.BAD_SESSION_ID)
        session = self.sessions.get(tokens.digest(session_id))
        refusal = self._refusal(session, self.clock())
        if refusal is not None:
            return Result.failure(refusal)
        return Result.success(session.with_id(session_id))  # type: ignore[union-attr]

    def _use(self, session_id: str, refresh_if_idle_for: int | None) -> Result[Session]:
        current = self._usable(session_id)
        if current.failed or refresh_if_idle_for is None:
            return current
        if (self.clock() - current.value.last_seen_at).total_seconds() < refresh_if_idle_for:
            return current
        return self._extend(session_id, current.value)

    def _refresh(self, session_id: str) -> Result[Session]:
        current = self._usable(session_id)
        return current if current.failed else self._extend(session_id, current.value)

    def _extend(self, session_id: str, current: Session) -> Result[Session]:
        now = self.clock()
        expires_at = self._expiry(current.created_at, now)
        if not self.sessions.extend(tokens.digest(session_id), now=now, expires_at=expires_at):
            # Revoked or expired between the read and the write: report the new state.
            raced = self._refusal(self.sessions.get(tokens.digest(session_id)), now)
            return Result.failure(raced or AuthError(Code.INVALID_SESSION))
        refreshed = replace(current, expires_at=expires_at, last_seen_at=now)
        signals.session_refreshed.send_robust(Auth, session=refreshed.with_id(""))
        return Result.success(refreshed)

    def _logout(self, session_id: str) -> Result[None]:
        if not tokens.looks_like_session_id(session_id):
            return _fail(Code.INVALID_INPUT, inputs.BAD_SESSION_ID)
        now = self.clock()
        revoked = self.sessions.revoke(tokens.digest(session_id), now=now, reason="logout")
        if revoked is None:
            return _fail(Code.INVALID_SESSION)
        events.revoked_now(Auth, revoked, now, "logout")
        return Result.success(None)

    def _revoke_public(self, public_id: str, reason: str, user_id: UserId | None) -> Result[Revocation]:
        now = self.clock()
        revoked = self.sessions.revoke_public(public_id, now=now, reason=reason, user_id=user_id)
        if revoked is None:
            return _fail(Code.INVALID_SESSION, "No such session.")
        return Result.success(Revocation(revoked, revoked_now=events.revoked_now(Auth, revoked, now, reason)))

    def _logout_user(self, user_id: UserId, reason: str) -> Result[int]:
        if isinstance(user_id, bool) or not isinstance(user_id, (str, int)) or self.users.get(user_id) is None:
            return _fail(Code.USER_NOT_FOUND)
        count = self.sessions.revoke_user(user_id, now=self.clock(), reason=reason)
        signals.session_revoked.send_robust(Auth, user_id=user_id, reason=reason, count=count, public_id=None)
        return Result.success(count)

    def _refusal(self, session: Session | None, now: datetime) -> AuthError | None:
        """Why ``session`` may not be used at ``now``; revocation outranks expiry."""
        if session is None or not session.valid():
            return AuthError(Code.INVALID_SESSION)
        if session.revoked:
            return AuthError(Code.SESSION_REVOKED)
        if session.expired(now):
            return AuthError(Code.SESSION_EXPIRED)
        return None

    def _expiry(self, created_at: datetime, now: datetime) -> datetime:
        expires_at = now + timedelta(seconds=self.config.session_ttl_seconds)
        absolute = self.config.absolute_lifetime_seconds
        if absolute is not None:
            expires_at = min(expires_at, created_at + timedelta(seconds=absolute))
        return expires_at

    def _attempt(self, operation: Callable[[], Result[T]]) -> Result[T]:
        try:
            return operation()
        except Exception:  # fail closed: a broken store never authenticates anyone
            logger.exception("rix_auth: the session or user store failed")
            return _fail(Code.STORE_ERROR)

