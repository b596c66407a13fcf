"""In-process stores for scripts and tests: thread-safe, gone at exit.

Each public operation holds the store's one lock, so every step the
interface calls atomic is atomic here too.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from rix_auth.config import Argon2Parameters
from rix_auth.credentials import fingerprint
from rix_auth.passwords import Argon2id
from rix_auth.session import Holder, Revocation, Session, User, UserId
from rix_auth.stores.base import Account, Created, NewSession, Rehashed, SessionStore, UserExists, UserStore


class MemorySessionStore(SessionStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, Session] = {}
        self._epochs: dict[str, int] = {}

    def epoch(self, user_id: UserId | None) -> int:
        with self._lock:
            return self._epochs.get(str(user_id), 0)

    def create(self, new: NewSession, *, epoch: int, max_live: int | None = None) -> Created | None:
        session = Session(
            user_id=new.user_id,
            public_id=new.public_id,
            created_at=new.created_at,
            expires_at=new.expires_at,
            last_seen_at=new.created_at,
            authenticated_at=new.authenticated_at,
            ip=new.ip,
            user_agent=new.user_agent,
            credential=new.credential,
        )
        with self._lock:
            if self._epochs.get(str(new.user_id), 0) != epoch:
                return None
            evicted = 0 if max_live is None else self._evict_oldest(new.user_id, new.created_at, keep=max_live - 1)
            self._sessions[new.digest] = session
        return Created(session, evicted)

    def get(self, digest: str) -> Session | None:
        with self._lock:
            return self._find(digest)

    def for_user(self, user_id: UserId) -> list[Session]:
        with self._lock:
            mine = [s for s in self._sessions.values() if s.belongs_to(user_id)]
        return sorted(mine, key=lambda s: s.created_at, reverse=True)

    def extend(self, digest: str, *, now: datetime, expires_at: datetime) -> bool:
        with self._lock:
            session = self._find(digest)
            if session is None or not session.usable(now):
                return False
            self._sessions[digest] = replace(session, expires_at=expires_at, last_seen_at=now)
            return True

    def reauthenticated(self, digest: str, *, now: datetime) -> bool:
        with self._lock:
            session = self._find(digest)
            if session is None or not session.usable(now):
                return False
            self._sessions[digest] = replace(session, authenticated_at=now)
            return True

    def revoke(self, digest: str, *, now: datetime, reason: str) -> Revocation | None:
        with self._lock:
            return self._revoke(digest, now, reason)

    def revoke_public(
        self, public_id: str, *, now: datetime, reason: str, user_id: UserId | None = None
    ) -> Revocation | None:
        with self._lock:
            for digest, session in self._sessions.items():
                if session.public_id == public_id and (user_id is None or session.belongs_to(user_id)):
                    return self._revoke(digest, now, reason)
        return None

    def purge(self, before: datetime, *, batch_size: int, dry_run: bool = False) -> Iterator[int]:
        with self._lock:
            dead = [d for d, s in self._sessions.items() if _dead_before(s, before)]
        if dry_run:
            yield len(dead)
            return
        for start in range(0, len(dead), batch_size):
            with self._lock:  # released before yielding: the caller may use the store meanwhile
                deleted = sum(self._sessions.pop(d, None) is not None for d in dead[start : start + batch_size])
            yield deleted

    def revoke_user(self, user_id: UserId, *, now: datetime, reason: str) -> int:
        with self._lock:
            key = str(user_id)
            self._epochs[key] = self._epochs.get(key, 0) + 1
            live = [d for d, s in self._sessions.items() if s.belongs_to(user_id) and not s.revoked]
            for d in live:
                self._sessions[d] = replace(self._sessions[d], revoked_at=now, revoke_reason=reason)
            return len(live)

    def recredential(self, user_id: UserId, *, old: str, new: str) -> int:
        with self._lock:
            moving = [d for d, s in self._sessions.items() if s.belongs_to(user_id) and not s.revoked
                      and s.credential == old]  # fmt: skip
            for d in moving:
                self._sessions[d] = replace(self._sessions[d], credential=new)
            return len(moving)

    def _revoke(self, digest: str, now: datetime, reason: str) -> Revocation | None:
        session = self._find(digest)
        if session is None:
            return None
        if session.revoked:  # a first revocation's time and reason stay
            return Revocation(session, revoked_now=False)
        self._sessions[digest] = revoked = replace(session, revoked_at=now, revoke_reason=reason)
        return Revocation(revoked, revoked_now=True)

    def _find(self, digest: str) -> Session | None:
        # Keys are digests of 256-bit secrets: a caller chooses the id, never
        # the digest, so an ordinary dict lookup leaks nothing usable by timing.
        return self._sessions.get(digest)

    def _evict_oldest(self, user_id: UserId, now: datetime, keep: int) -> int:
        live = sorted(
            ((s.created_at, d) for d, s in self._sessions.items() if s.belongs_to(user_id) and s.usable(now)),
        )
        oldest = live[: max(len(live) - keep, 0)]
        for _, d in oldest:
            self._sessions[d] = replace(self._sessions[d], revoked_at=now, revoke_reason="eviction")
        return len(oldest)


def _dead_before(session: Session, before: datetime) -> bool:
    return session.expires_at < before or (session.revoked_at is not None and session.revoked_at < before)


class MemoryUserStore(UserStore):
    def __init__(self, parameters: Argon2Parameters | None = None) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, Account] = {}
        self._hasher = Argon2id(parameters or Argon2Parameters())

    def use_parameters(self, parameters: Argon2Parameters) -> None:
        """Hash with new parameters from now on; older hashes upgrade at next login."""
        self._hasher = Argon2id(parameters)

    def create(self, email: str, password: str) -> User:
        password_hash = self._hasher.hash(password)
        with self._lock:
            if email in self._accounts:
                raise UserExists(email)
            user = User(id="user_" + secrets.token_hex(8), email=email, credential=fingerprint(password_hash))
            self._accounts[email] = Account(user, password_hash)
            return user

    def find_id(self, email: str) -> UserId | None:
        with self._lock:
            account = self._accounts.get(email)
        return None if account is None else account.user.id

    def find_by_email(self, email: str) -> Account | None:
        with self._lock:
            return self._accounts.get(email)

    def authenticate(
        self, email: str, password: str, *, account: Account | None, request: object = None, on_rehash: Rehashed = None
    ) -> User | None:
        hasher = self._hasher
        if account is None:
            hasher.verify_dummy(password)
            return None
        if not hasher.verify(account.password_hash, password):
            return None
        if hasher.needs_rehash(account.password_hash):
            upgraded = self._replace(account.user.id, password_hash=hasher.hash(password))
            if on_rehash is not None:
                on_rehash(account.user.id, account.user.credential, upgraded.user.credential)
            return upgraded.user
        return account.user

    def signed_in(self, user: User, request: object = None) -> None:
        """Nothing to record in memory."""

    def get(self, user_id: UserId) -> User | None:
        with self._lock:
            return next((a.user for a in self._accounts.values() if a.user.id == user_id), None)

    def holder(self, user_id: UserId) -> Holder | None:
        user = self.get(user_id)
        if user is None:
            return None
        return Holder(active=user.is_active, credential=user.credential, load=lambda: user)

    def set_active(self, user_id: UserId, active: bool) -> None:
        """Enable or disable a user (the memory stand-in for an admin's switch)."""
        self._replace(user_id, is_active=active)

    def set_password(self, user_id: UserId, password: str | None) -> None:
        """Give the user a new password, or an unusable one with ``None``."""
        self._replace(user_id, password_hash=self._hasher.hash(password) if password else "!" + secrets.token_hex(20))

    def _replace(self, user_id: UserId, **changes: object) -> Account:
        with self._lock:
            email, account = next((e, a) for e, a in self._accounts.items() if a.user.id == user_id)
            password_hash = str(changes.pop("password_hash", account.password_hash))
            user = replace(account.user, credential=fingerprint(password_hash), **changes)  # type: ignore[arg-type]
            self._accounts[email] = updated = Account(user, password_hash)
            return updated
