"""The Auth service: the one home of rix_auth's business rules.

Stores persist; views, middleware and commands call in here. Every public
method returns a :class:`~rix_auth.result.Result` and never raises: a store
failure becomes ``store_error``, and no error path returns a session. Each
method has an ``a…`` twin for async code that runs it in a worker thread.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Concatenate, ParamSpec, TypeVar

from asgiref.sync import sync_to_async

from rix_auth import events, inputs, ratelimited_log, signals, throttle, tokens
from rix_auth.clock import Clock, system_clock
from rix_auth.config import AuthConfig, development
from rix_auth.emails import canonical_email, valid_email
from rix_auth.error import AuthError, AuthErrorCode, gettext_lazy
from rix_auth.result import Result
from rix_auth.session import Holder, LoginResult, Revocation, RevokeReason, Session, SessionUse, User, UserId
from rix_auth.stores.base import InputRejected, NewSession, SessionStore, UserExists, UserStore
from rix_auth.throttle import LoginThrottle, NoThrottle

logger = logging.getLogger("rix_auth")

T = TypeVar("T")
P = ParamSpec("P")
Code = AuthErrorCode

_REVOKED_DURING_LOGIN = gettext_lazy("All sessions of this account were revoked during the login; log in again.")
_PASSWORD_CHANGED = gettext_lazy("The password changed since this session began; log in again.")
_BAD_DEVICE = gettext_lazy("The client address is not an IPv4 or IPv6 address, or the user agent is not a string.")
_BAD_EMAIL = gettext_lazy("Enter a valid email address.")
_WRONG_PASSWORD = gettext_lazy("The password is incorrect.")  # re-authentication asks for no email
_NO_SUCH_SESSION = gettext_lazy("No such session.")


def _fail(code: AuthErrorCode, message: str | None = None) -> Result[T]:
    return Result.failure(AuthError(code, message))


def _in_thread(method: Callable[Concatenate[Auth, P], T]) -> Callable[Concatenate[Auth, P], Coroutine[Any, Any, T]]:
    """The async twin of ``method``: the same call in a worker thread, as Django's async ORM does."""

    async def twin(self: Auth, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await sync_to_async(method)(self, *args, **kwargs)

    functools.update_wrapper(twin, method)  # help() and editors show the sync method's parameters
    twin.__name__, twin.__qualname__ = f"a{method.__name__}", f"Auth.a{method.__name__}"
    twin.__doc__ = f"Async :meth:`{method.__name__}`, with the same result."
    return twin


class Auth:
    """Register, log in, authenticate, refresh and log out, over any pair of stores."""

    def __init__(
        self,
        *,
        users: UserStore,
        sessions: SessionStore,
        config: AuthConfig | None = None,
        clock: Clock = system_clock,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.users = users
        self.sessions = sessions
        self.config = config or development()
        self.clock = clock
        self.throttle: LoginThrottle = throttle or NoThrottle()

    def register_user(self, email: str, password: str, *, ip: str | None = None) -> Result[User]:
        """Create an active user; the email is trimmed, validated and matched case-insensitively.

        ``ip`` is the client's address: the throttle limits registrations per address
        (``too_many_attempts``, with ``retry_after``).
        """
        if not inputs.acceptable_raw_email(email) or not valid_email(canonical_email(email)):
            return _fail(Code.INVALID_INPUT, _BAD_EMAIL)
        if not inputs.acceptable_password(password):
            return _fail(Code.INVALID_INPUT, inputs.BAD_PASSWORD)
        if not _acceptable_device(ip, ""):
            return _fail(Code.INVALID_INPUT, _BAD_DEVICE)
        wait = throttle.fail_open(self.throttle.registering, ip)
        if wait is not None:
            return Result.failure(throttle.too_many_attempts(wait))
        return self._attempt(lambda: self._register(canonical_email(email), password))

    def login(
        self, email: str, password: str, *, ip: str | None = None, user_agent: str = "", request: object = None
    ) -> Result[LoginResult]:
        """Check the password and open a session; unknown email and wrong password look alike.

        ``request`` goes to the user store (Django's authentication backends receive it).
        The throttle is asked first, with ``ip``: while it refuses, even the right password is
        ``too_many_attempts`` and no password is hashed. A store's own lockout (django-axes)
        answers the same.
        """
        if not inputs.acceptable_raw_email(email) or not inputs.acceptable_password(password):
            return _fail(Code.INVALID_INPUT, inputs.BAD_LOGIN)
        if not _acceptable_device(ip, user_agent):
            return _fail(Code.INVALID_INPUT, _BAD_DEVICE)
        canonical = canonical_email(email)
        result = self._attempt(
            lambda: throttle.guarded(
                self.throttle, canonical, ip, lambda: self._login(canonical, password, ip, user_agent, request)
            )
        )
        return events.reported(Auth, result, "login")

    def start_session(
        self, user_id: UserId, *, ip: str | None = None, user_agent: str = "", request: object = None
    ) -> Result[LoginResult]:
        """Open a session for a user who proved who they are some other way (social login,
        passkey, one-time code). Obeys the per-user cap, ``logout_user`` races and the
        signals exactly like :meth:`login`."""
        if isinstance(user_id, bool) or not isinstance(user_id, (str, int)):
            return _fail(Code.USER_NOT_FOUND)
        if not _acceptable_device(ip, user_agent):
            return _fail(Code.INVALID_INPUT, _BAD_DEVICE)
        return self._attempt(lambda: self._start(user_id, ip, user_agent, request))

    def reauthenticate(
        self, session_id: str, password: str, *, ip: str | None = None, request: object = None
    ) -> Result[Session]:
        """Prove again, with the password, the user of a usable session ("sudo mode"):
        on success its ``authenticated_at`` moves to now, and the session is returned.

        Only the session's own user's password counts, checked by the user store (for
        Django, ``authenticate()`` with the user's ``USERNAME_FIELD``: backends decide).
        A wrong password is ``invalid_credentials`` and moves nothing; a disabled user is
        ``user_disabled``. ``ip`` is the client's address; ``request`` goes to the user store.
        The throttle counts it as a login with the account's email from ``ip``
        (``too_many_attempts`` while it refuses, before any password hashing).
        """
        if not inputs.acceptable_password(password):
            return _fail(Code.INVALID_INPUT, inputs.BAD_PASSWORD)
        if not _acceptable_device(ip, ""):
            return _fail(Code.INVALID_INPUT, _BAD_DEVICE)
        result = self._attempt(lambda: self._reauthenticate(session_id, password, ip, request))
        return events.reported(Auth, result, "reauthenticate")

    def authenticate_session(self, session_id: str, *, refresh_if_idle_for: int | None = None) -> Result[Session]:
        """The usable session ``session_id`` names, or why it is refused.

        With ``refresh_if_idle_for``, a session last seen at least that many
        seconds ago is also refreshed (one write), for sliding expiry.
        """
        return self.use_session(session_id, refresh_if_idle_for=refresh_if_idle_for).map(lambda used: used.session)

    def use_session(self, session_id: str, *, refresh_if_idle_for: int | None = None) -> Result[SessionUse]:
        """As :meth:`authenticate_session`, also saying whether this call refreshed the session.

        The returned session carries its ``holder``: the user, read without another query
        where the store allows.
        """
        return events.reported(Auth, self._attempt(lambda: self._use(session_id, refresh_if_idle_for)), "authenticate")

    def refresh_session(self, session_id: str) -> Result[Session]:
        """Extend a usable session to ``now + ttl`` (capped by the absolute lifetime)."""
        return events.reported(Auth, self._attempt(lambda: self._refresh(session_id)), "refresh")

    def logout(self, session_id: str) -> Result[None]:
        """Revoke the session; logging out a revoked or expired session still succeeds."""
        return self._attempt(lambda: self._logout(session_id))

    def logout_user(self, user_id: UserId, *, reason: str = RevokeReason.LOGOUT_USER) -> Result[int]:
        """Revoke every session of the user, including any a login in flight is creating."""
        if not inputs.known_reason(reason):
            return _fail(Code.INVALID_INPUT, inputs.BAD_REASON)
        return self._attempt(lambda: self._logout_user(user_id, RevokeReason(reason)))

    def revoke_session(self, public_id: str, *, reason: str, user_id: UserId | None = None) -> Result[Revocation]:
        """Revoke one session by its public handle (only the user's own, given ``user_id``).

        Succeeds for an already revoked session too; ``revoked_now`` tells them apart.
        """
        if not tokens.looks_like_public_id(public_id):
            return _fail(Code.INVALID_INPUT, inputs.BAD_HANDLE)
        if not inputs.known_reason(reason):
            return _fail(Code.INVALID_INPUT, inputs.BAD_REASON)
        return self._attempt(lambda: self._revoke_public(public_id, RevokeReason(reason), user_id))

    def sessions_of(self, user_id: UserId) -> Result[list[Session]]:
        """Every session of the user, newest first, without their ids."""
        return self._attempt(lambda: Result.success(self.sessions.for_user(user_id)))

    aregister_user = _in_thread(register_user)
    alogin = _in_thread(login)
    astart_session = _in_thread(start_session)
    areauthenticate = _in_thread(reauthenticate)
    aauthenticate_session = _in_thread(authenticate_session)
    ause_session = _in_thread(use_session)
    arefresh_session = _in_thread(refresh_session)
    alogout = _in_thread(logout)
    alogout_user = _in_thread(logout_user)

    def _register(self, email: str, password: str) -> Result[User]:
        try:
            return Result.success(self.users.create(email, password))
        except UserExists:
            return _fail(Code.USER_ALREADY_EXISTS)
        except InputRejected as rejected:
            return _fail(Code.INVALID_INPUT, " ".join(rejected.messages))

    def _login(
        self, email: str, password: str, ip: str | None, user_agent: str, request: object
    ) -> Result[LoginResult]:
        known = valid_email(email)
        found_id = self.users.find_id(email) if known else None
        # The epoch before the account: a password change or deactivation committed before this
        # read shows in the account read below, and one committed after it (it advances the epoch)
        # voids the session. Read for unknown emails too, so both paths cost the same.
        epoch = self.sessions.epoch(found_id)
        account = self.users.find_by_email(email) if known else None
        user = self.users.authenticate(email, password, account=account, request=request, on_rehash=self._rehashed)
        if user is None:
            return _fail(Code.INVALID_CREDENTIALS)
        if not user.is_active:
            return _fail(Code.USER_DISABLED)
        if user.id != found_id:
            return self._recheck(user, ip, user_agent, request)
        return self._open(user, epoch, ip, user_agent, request)

    def _recheck(self, user: User, ip: str | None, user_agent: str, request: object) -> Result[LoginResult]:
        """Open a session for a user the email lookup did not find (a backend signed in someone
        else, or the account was created or replaced meanwhile): no epoch could be read before
        the check, so read it now and then the user again. A change committed before this read
        shows in the second read, one after it voids the session; only a ``logout_user`` with no
        change to the user, between the check and this read, goes unseen."""
        epoch = self.sessions.epoch(user.id)
        current = self.users.get(user.id)
        if current is None:
            return _fail(Code.INVALID_CREDENTIALS)
        if not hmac.compare_digest(current.credential, user.credential):
            return _fail(Code.SESSION_REVOKED, _REVOKED_DURING_LOGIN)
        if not current.is_active:
            return _fail(Code.USER_DISABLED)
        return self._open(user, epoch, ip, user_agent, request)

    def _rehashed(self, user_id: UserId, old: str, new: str) -> None:
        self.sessions.recredential(user_id, old=old, new=new)

    def _start(self, user_id: UserId, ip: str | None, user_agent: str, request: object) -> Result[LoginResult]:
        epoch = self.sessions.epoch(user_id)  # before reading the user, as login reads it before the password
        user = self.users.get(user_id)
        if user is None:
            return _fail(Code.USER_NOT_FOUND)
        if not user.is_active:
            return _fail(Code.USER_DISABLED)
        return self._open(user, epoch, ip, user_agent, request)

    def _open(self, user: User, epoch: int, ip: str | None, user_agent: str, request: object) -> Result[LoginResult]:
        session_id, now = tokens.new_session_id(), self.clock()
        new = NewSession(
            digest=tokens.digest(session_id),
            public_id=tokens.new_public_id(),
            user_id=user.id,
            created_at=now,
            expires_at=self._expiry(now, now),
            authenticated_at=now,
            ip=ip,
            user_agent=inputs.clean_user_agent(user_agent),
            credential=user.credential,
        )
        created = self.sessions.create(new, epoch=epoch, max_live=self.config.max_sessions_per_user)
        if created is None:
            return _fail(Code.SESSION_REVOKED, _REVOKED_DURING_LOGIN)
        if created.evicted:
            signals.session_revoked.send_robust(
                Auth, user_id=user.id, reason=RevokeReason.EVICTION, count=created.evicted, public_id=None
            )
        signals.session_created.send_robust(Auth, session=created.session, user=user)
        self.users.signed_in(user, request)
        return Result.success(LoginResult(user, created.session.with_id(session_id)))

    def _reauthenticate(self, session_id: str, password: str, ip: str | None, request: object) -> Result[Session]:
        current = self._usable(session_id)
        if current.error is not None:
            return current
        session = current.value
        # Throttled as a login with the account's email, so a stolen session guesses no faster.
        account = self.users.get(session.user_id)
        if account is None:  # deleted since the session was read
            return _fail(Code.INVALID_SESSION)
        # A user without an email (made outside rix_auth) gets a count of their own, not a shared "".
        email = canonical_email(account.email) if account.email else f"\0user {session.user_id}"
        return throttle.guarded(self.throttle, email, ip, lambda: self._reprove(session_id, session, password, request))

    def _reprove(self, session_id: str, session: Session, password: str, request: object) -> Result[Session]:
        proven = self.users.authenticate_user(session.user_id, password, request=request, on_rehash=self._rehashed)
        if proven is None:
            return _fail(Code.INVALID_CREDENTIALS, _WRONG_PASSWORD)
        if not proven.is_active:
            return _fail(Code.USER_DISABLED)
        now, digest = self.clock(), tokens.digest(session_id)
        if not self.sessions.reauthenticated(digest, now=now):
            return self._lost_race(digest)  # revoked or expired while the password was checked
        return Result.success(replace(session, authenticated_at=now))

    def _usable(self, session_id: str) -> Result[Session]:
        if not tokens.looks_like_session_id(session_id):
            return _fail(Code.INVALID_INPUT, inputs.BAD_SESSION_ID)
        digest = tokens.digest(session_id)
        session = self.sessions.get(digest)
        if session is None or not session.valid():
            return _fail(Code.INVALID_SESSION)
        holder = session.holder or self.users.holder(session.user_id)
        if holder is None:  # the user is gone
            return _fail(Code.INVALID_SESSION)
        refusal = self._refusal(digest, session, holder, self.clock())
        if refusal is not None:
            return Result.failure(refusal)
        return Result.success(session.with_id(session_id, holder))

    def _refusal(self, digest: str, session: Session, holder: Holder, now: datetime) -> AuthError | None:
        """Why ``session`` may not be used at ``now``: a disabled user first, then revocation,
        expiry and a changed credential. The first refusal for a disabled user or a changed
        credential also revokes the session, so listings, the admin and signals agree."""
        if not holder.active:
            self._retire(digest, session, now, RevokeReason.DEACTIVATION)
            return AuthError(Code.USER_DISABLED)
        if session.revoked:
            return AuthError(Code.SESSION_REVOKED)
        if session.expired(now):
            return AuthError(Code.SESSION_EXPIRED)
        if not hmac.compare_digest(holder.credential, session.credential):
            self._retire(digest, session, now, RevokeReason.PASSWORD_CHANGE)
            return AuthError(Code.SESSION_REVOKED, _PASSWORD_CHANGED)
        return None

    def _retire(self, digest: str, session: Session, now: datetime, reason: RevokeReason) -> None:
        """Mark a refused session revoked; if the store fails, the refusal stands and the next one retries."""
        if session.revoked:
            return
        try:
            revocation = self.sessions.revoke(digest, now=now, reason=reason)
        except Exception:
            logger.warning("rix_auth: could not mark a refused session revoked (%s)", reason, exc_info=True)
            return
        if revocation is not None:
            events.revoked(Auth, revocation)

    def _use(self, session_id: str, refresh_if_idle_for: int | None) -> Result[SessionUse]:
        current = self._usable(session_id)
        if current.error is not None:
            return Result.failure(current.error)
        session = current.value
        if refresh_if_idle_for is None or (self.clock() - session.last_seen_at).total_seconds() < refresh_if_idle_for:
            return Result.success(SessionUse(session))
        extended = self._extend(session_id, session)
        if extended.error is not None:
            return Result.failure(extended.error)
        return Result.success(SessionUse(extended.value, refreshed=True))

    def _refresh(self, session_id: str) -> Result[Session]:
        current = self._usable(session_id)
        return current if current.failed else self._extend(session_id, current.value)

    def _extend(self, session_id: str, current: Session) -> Result[Session]:
        now, digest = self.clock(), tokens.digest(session_id)
        expires_at = self._expiry(current.created_at, now)
        if not self.sessions.extend(digest, now=now, expires_at=expires_at):
            return self._lost_race(digest)  # revoked or expired between the read and the write
        refreshed = replace(current, expires_at=expires_at, last_seen_at=now)
        signals.session_refreshed.send_robust(Auth, session=refreshed.with_id(""))
        return Result.success(refreshed)

    def _lost_race(self, digest: str) -> Result[Any]:
        """A conditional write found the session no longer usable: report its new state."""
        raced = self.sessions.get(digest)
        if raced is None or raced.revoked:
            return _fail(Code.SESSION_REVOKED if raced else Code.INVALID_SESSION)
        return _fail(Code.SESSION_EXPIRED)

    def _logout(self, session_id: str) -> Result[None]:
        if not tokens.looks_like_session_id(session_id):
            return _fail(Code.INVALID_INPUT, inputs.BAD_SESSION_ID)
        revocation = self.sessions.revoke(tokens.digest(session_id), now=self.clock(), reason=RevokeReason.LOGOUT)
        if revocation is None:
            return _fail(Code.INVALID_SESSION)
        events.revoked(Auth, revocation)
        return Result.success(None)

    def _revoke_public(self, public_id: str, reason: RevokeReason, user_id: UserId | None) -> Result[Revocation]:
        revocation = self.sessions.revoke_public(public_id, now=self.clock(), reason=reason, user_id=user_id)
        if revocation is None:
            return _fail(Code.INVALID_SESSION, _NO_SUCH_SESSION)
        return Result.success(events.revoked(Auth, revocation))

    def _logout_user(self, user_id: UserId, reason: RevokeReason) -> Result[int]:
        if isinstance(user_id, bool) or not isinstance(user_id, (str, int)) or self.users.get(user_id) is None:
            return _fail(Code.USER_NOT_FOUND)
        count = self.sessions.revoke_user(user_id, now=self.clock(), reason=reason)
        signals.session_revoked.send_robust(Auth, user_id=user_id, reason=reason, count=count, public_id=None)
        return Result.success(count)

    def _expiry(self, created_at: datetime, now: datetime) -> datetime:
        expires_at = now + timedelta(seconds=self.config.session_ttl_seconds)
        absolute = self.config.absolute_lifetime_seconds
        if absolute is not None:
            expires_at = min(expires_at, created_at + timedelta(seconds=absolute))
        return expires_at

    def _attempt(self, operation: Callable[[], Result[T]]) -> Result[T]:
        try:
            return operation()
        except Exception as error:  # fail closed: a broken store never authenticates anyone
            # A warning, at most one a minute (an outage fails every request alike), and without
            # the traceback: its frames hold session ids.
            failed = "rix_auth: the session or user store failed: %s: %s"
            ratelimited_log.store_errors.warning(failed, type(error).__name__, error)
            return _fail(Code.STORE_ERROR)


def _acceptable_device(ip: object, user_agent: object) -> bool:
    return (ip is None or inputs.is_ip(ip)) and isinstance(user_agent, str)
