"""What a store implements: the session and user interfaces and their guarantees.

:class:`~rix_auth.service.Auth` holds every business rule (validation,
expiry, precedence of errors, timing safety); a store only persists and
answers. A custom store subclasses these and proves itself with
:mod:`rix_auth.testing`, the contract suite the built-in stores pass.

Stores never see a raw session id: they are given its digest. Any failure to
reach the backing store is raised as :class:`StoreFailure` (or any other
exception); Auth turns it into a ``store_error`` result.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from rix_auth.session import Holder, Revocation, Session, User, UserId

Rehashed = Callable[[UserId, str, str], object] | None
"""Told ``(user_id, old_credential, new_credential)`` when a login re-hashed a password."""


class StoreFailure(Exception):
    """The backing store failed; the message never contains a secret."""


class UserExists(Exception):
    """A user with this canonical email already exists."""


class InputRejected(Exception):
    """The store refuses the email or password (password policy, field length)."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__(" ".join(messages))


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session to persist; ``last_seen_at`` starts at ``created_at``."""

    digest: str
    public_id: str
    user_id: UserId
    created_at: datetime
    expires_at: datetime
    authenticated_at: datetime
    ip: str | None = None
    user_agent: str = ""
    credential: str = ""


@dataclass(frozen=True, slots=True)
class Account:
    """A user found for login, with the stored password hash to check against."""

    user: User
    password_hash: str


@dataclass(frozen=True, slots=True)
class Created:
    session: Session
    evicted: int = 0


class SessionStore(ABC):
    """Persistence for sessions, keyed by the digest of their id."""

    @abstractmethod
    def epoch(self, user_id: UserId | None) -> int:
        """How many times ``revoke_user`` has run for this user (0 if never);
        ``None`` answers 0 at the cost of a real read."""

    @abstractmethod
    def create(self, new: NewSession, *, epoch: int, max_live: int | None = None) -> Created | None:
        """Persist ``new`` and return it, or return ``None`` and persist nothing
        when the user's epoch is no longer ``epoch`` (a ``revoke_user`` ran since
        the login began). Atomic with respect to ``revoke_user``: no session made
        by a login that began before a ``revoke_user`` survives it.

        With ``max_live``, the user's oldest live sessions are revoked with the
        reason ``eviction`` so that at most ``max_live`` remain, ``new`` included;
        ``evicted`` says how many.
        """

    @abstractmethod
    def get(self, digest: str) -> Session | None:
        """The session stored under ``digest`` (an exact match on the unique key), or ``None``.

        A store that can read the session's user in the same round trip sets
        the session's ``holder`` (and returns ``None`` if the user is gone);
        otherwise Auth asks the user store.
        """

    @abstractmethod
    def for_user(self, user_id: UserId) -> list[Session]:
        """Every stored session of the user, revoked and expired ones included, newest first."""

    @abstractmethod
    def extend(self, digest: str, *, now: datetime, expires_at: datetime) -> bool:
        """Set ``expires_at`` and ``last_seen_at = now`` only if the session is
        unrevoked and unexpired at ``now``, as one atomic step; return whether
        it was updated."""

    @abstractmethod
    def reauthenticated(self, digest: str, *, now: datetime) -> bool:
        """Set ``authenticated_at = now`` only if the session is unrevoked and
        unexpired at ``now``, as one atomic step (a concurrent revocation either
        precedes it, and nothing is written, or follows it); return whether it
        was updated. Nothing else changes: not ``last_seen_at``, not the expiry."""

    @abstractmethod
    def revoke(self, digest: str, *, now: datetime, reason: str) -> Revocation | None:
        """Revoke the session unless already revoked (a first revocation's time
        and reason are kept); return it and whether this call revoked it, or
        ``None`` if there is no such session. The row stays as an audit trail."""

    @abstractmethod
    def revoke_public(
        self, public_id: str, *, now: datetime, reason: str, user_id: UserId | None = None
    ) -> Revocation | None:
        """As :meth:`revoke`, for the session with this public handle (and, when
        ``user_id`` is given, only if it belongs to that user)."""

    @abstractmethod
    def purge(self, before: datetime, *, batch_size: int, dry_run: bool = False) -> Iterator[int]:
        """Delete sessions that expired or were revoked before ``before``, at
        most ``batch_size`` rows per step, yielding each step's count; with
        ``dry_run``, delete nothing and yield the total once. Running twice
        at once is safe: a row is deleted once."""

    @abstractmethod
    def revoke_user(self, user_id: UserId, *, now: datetime, reason: str) -> int:
        """Revoke every unrevoked session of the user in one operation, advance
        the user's epoch, and return how many sessions were revoked."""

    @abstractmethod
    def recredential(self, user_id: UserId, *, old: str, new: str) -> int:
        """Move the user's unrevoked sessions opened under credential ``old`` to
        ``new`` (the same password, re-hashed); return how many moved. Sessions
        under any other credential stay as they are."""


class UserStore(ABC):
    """Persistence for users, keyed by canonical email (see :mod:`rix_auth.emails`)."""

    @abstractmethod
    def create(self, email: str, password: str) -> User:
        """Create an active user; raise :class:`UserExists` if the email is taken
        (also under a race) or :class:`InputRejected` when its rules refuse the input."""

    @abstractmethod
    def find_by_email(self, email: str) -> Account | None:
        """The account whose canonical email is ``email``, or ``None``: a fresh read
        of its password hash and active flag."""

    def find_id(self, email: str) -> UserId | None:
        """The id of the account whose canonical email is ``email``, or ``None``.

        A login reads this first, then the user's revocation epoch, and only then
        the account (:meth:`find_by_email`): a password change or deactivation
        either shows in the account it checks or, committed later, voids the
        session it opens. This default reads the whole account; override it
        with a lighter read.
        """
        account = self.find_by_email(email)
        return None if account is None else account.user.id

    @abstractmethod
    def authenticate(
        self, email: str, password: str, *, account: Account | None, request: object = None, on_rehash: Rehashed = None
    ) -> User | None:
        """The user these credentials prove, or ``None``.

        ``account`` is what :meth:`find_by_email` found for ``email``. A user
        returned inactive proved the right password for a disabled account.
        What a check costs must not depend on the account: an unknown email, a
        wrong password and the inactive path cost the same, whichever hasher
        made the account's hash. The memory store checks one argon2id hash (a
        throwaway one for an unknown email); the Django store runs one
        verification with each hasher in ``PASSWORD_HASHERS`` on every path
        (see :func:`rix_auth.passwords.even_out_django_check`). On a match, a
        hash made with weaker parameters or an older hasher is re-hashed and
        ``on_rehash`` told, so that sessions follow the hash of the same password.
        ``request`` is passed on to whatever decides (Django's backends).
        """

    def authenticate_user(
        self, user_id: UserId, password: str, *, request: object = None, on_rehash: Rehashed = None
    ) -> User | None:
        """The user ``user_id`` as it is now if ``password`` proves that very user, or
        ``None``: re-authentication, where the user is known already.

        As :meth:`authenticate`: a user returned inactive proved the right password
        for a disabled account, and a re-hash tells ``on_rehash``. Proving anyone
        else is ``None``. This default reads the user and asks :meth:`authenticate`
        with their email; a store whose login name is something else overrides it.
        """
        user = self.get(user_id)
        if user is None:
            return None
        account = self.find_by_email(user.email)
        if account is not None and account.user.id != user.id:
            account = None
        found = self.authenticate(user.email, password, account=account, request=request, on_rehash=on_rehash)
        return found if found is not None and str(found.id) == str(user_id) else None

    @abstractmethod
    def signed_in(self, user: User, request: object = None) -> None:
        """Called after a session was opened for ``user`` (Django: ``user_logged_in``)."""

    @abstractmethod
    def get(self, user_id: UserId) -> User | None:
        """The user with this id (with its current credential), or ``None``."""

    @abstractmethod
    def holder(self, user_id: UserId) -> Holder | None:
        """The user's live state for the request path, or ``None`` if the user is gone."""
