"""The contract's live-state rules: a session follows its user, and other ways to open one.

A store must hand Auth the user's current state (active, credential) when a
session is read, or an administrator's switch and a password change made
behind Auth's back would leave old sessions working.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest

from rix_auth import signals
from rix_auth.clock import ManualClock
from rix_auth.config import AuthConfig
from rix_auth.error import AuthErrorCode as Code
from rix_auth.service import Auth
from rix_auth.session import Session, User, UserId
from rix_auth.testing.common import EMAIL, NEW_PASSWORD, PASSWORD, code, signed_in, stored
from rix_auth.testing.hooks import StoreHooks

IDLE = 300  # seconds: the refresh interval these rules use
Revoked = list[dict[str, Any]]





@contextmanager
def _revocations() -> Iterator[Revoked]:
    """Every ``session_revoked`` signal sent meanwhile: listings, the admin and signals must agree."""
    seen: Revoked = []

    def receiver(sender: object, **kwargs: Any) -> None:
        seen.append(kwargs)

    signals.session_revoked.connect(receiver, weak=False)
    try:
        yield seen
    finally:
        signals.session_revoked.disconnect(receiver)


class LiveStateRules(StoreHooks):
    def test_a_deactivated_users_session_is_user_disabled_and_revoked_as_deactivation(
        self, auth: Auth, clock: ManualClock
    ) -> None:
        grace = signed_in(auth)
        self.deactivate(auth, grace.user.id)
        with _revocations() as revoked:
            assert code(auth.authenticate_session(grace.session.id)) is Code.USER_DISABLED
            assert code(auth.authenticate_session(grace.session.id)) is Code.USER_DISABLED
        row = stored(auth, grace.session)
        assert (row.revoked_at, row.revoke_reason) == (clock(), "deactivation")
        assert [(r["reason"], r["count"], r["public_id"]) for r in revoked] == [
            ("deactivation", 1, grace.session.public_id)]  # fmt: skip

    def test_reactivating_a_user_restores_no_session_but_a_new_login_works(self, auth: Auth) -> None:
        grace = signed_in(auth)
        self.deactivate(auth, grace.user.id)
        assert code(auth.authenticate_session(grace.session.id)) is Code.USER_DISABLED
        self.reactivate(auth, grace.user.id)
        assert code(auth.authenticate_session(grace.session.id)) is Code.SESSION_REVOKED
        assert stored(auth, grace.session).revoke_reason == "deactivation"
        assert auth.authenticate_session(auth.login(EMAIL, PASSWORD).value.session.id).ok

    def test_a_password_change_revokes_every_older_session_as_password_change(
        self, auth: Auth, clock: ManualClock
    ) -> None:
        grace = signed_in(auth)
        older = [grace.session, auth.login(EMAIL, PASSWORD).value.session]
        self.change_password(auth, grace.user.id, NEW_PASSWORD)
        with _revocations() as revoked:
            for _ in range(2):  # only the first refusal of each revokes, and signals
                for session in older:
                    assert code(auth.authenticate_session(session.id)) is Code.SESSION_REVOKED
        assert [(r["reason"], r["public_id"]) for r in revoked] == [("password_change", s.public_id) for s in older]
        for session in older:
            row = stored(auth, session)
            assert (row.revoked_at, row.revoke_reason) == (clock(), "password_change")
        assert code(auth.login(EMAIL, PASSWORD)) is Code.INVALID_CREDENTIALS
        assert auth.authenticate_session(auth.login(EMAIL, NEW_PASSWORD).value.session.id).ok

    def test_an_unusable_password_revokes_the_session_and_the_old_password_no_longer_logs_in(self, auth: Auth) -> None:
        grace = signed_in(auth)
        self.change_password(auth, grace.user.id, None)
        assert code(auth.authenticate_session(grace.session.id)) is Code.SESSION_REVOKED
        assert stored(auth, grace.session).revoke_reason == "password_change"
        assert code(auth.login(EMAIL, PASSWORD)) is Code.INVALID_CREDENTIALS

    def test_a_revoked_session_keeps_its_first_reason_when_the_password_changes_later(self, auth: Auth) -> None:
        grace = signed_in(auth)
        assert auth.logout(grace.session.id).ok
        self.change_password(auth, grace.user.id, NEW_PASSWORD)
        assert code(auth.authenticate_session(grace.session.id)) is Code.SESSION_REVOKED
        assert stored(auth, grace.session).revoke_reason == "logout"

    def test_recredential_moves_only_the_users_live_sessions_under_the_old_credential(self, auth: Auth) -> None:
        """What a re-hash at login relies on: the same password's sessions follow the new hash."""
        grace = signed_in(auth)
        revoked = auth.login(EMAIL, PASSWORD).value.session
        auth.logout(revoked.id)
        auth.register_user("ada@example.com", PASSWORD)
        ada = auth.login("ada@example.com", PASSWORD).value
        old, new = grace.user.credential, "f" * 32
        assert auth.sessions.recredential(grace.user.id, old=old, new=new) == 1
        assert auth.sessions.recredential(grace.user.id, old=old, new=new) == 0  # nothing left under the old one
        assert (stored(auth, grace.session).credential, stored(auth, revoked).credential) == (new, old)
        assert stored(auth, ada.session).credential == ada.user.credential

    @pytest.mark.parametrize("change", ["deactivate", "change_password"])
    def test_a_refused_session_is_never_refreshed(self, auth: Auth, clock: ManualClock, change: str) -> None:
        grace = signed_in(auth)
        if change == "deactivate":
            self.deactivate(auth, grace.user.id)
        else:
            self.change_password(auth, grace.user.id, NEW_PASSWORD)
        clock.advance(IDLE * 2)
        assert auth.use_session(grace.session.id, refresh_if_idle_for=IDLE).failed
        row = stored(auth, grace.session)
        assert (row.last_seen_at, row.expires_at) == (grace.session.created_at, grace.session.expires_at)

    def test_start_session_opens_a_usable_session_that_records_the_device(self, auth: Auth, clock: ManualClock) -> None:
        user = auth.register_user(EMAIL, PASSWORD).value
        started = auth.start_session(user.id, ip="203.0.113.9", user_agent="Passkey/1.0").value
        assert started.user.id == user.id and started.session.belongs_to(user.id)
        assert auth.authenticate_session(started.session.id).value.public_id == started.session.public_id
        (row,) = auth.sessions.for_user(user.id)
        assert (row.ip, row.user_agent, row.created_at) == ("203.0.113.9", "Passkey/1.0", clock())
        assert code(auth.start_session(user.id, ip="not-an-ip")) is Code.INVALID_INPUT

    @pytest.mark.parametrize("unknown", ["user_nobody", "", 987654, None, True, 1.5, object()])
    def test_start_session_for_an_unknown_user_is_user_not_found(self, auth: Auth, unknown: object) -> None:
        user = auth.register_user(EMAIL, PASSWORD).value
        assert code(auth.start_session(unknown)) is Code.USER_NOT_FOUND  # type: ignore[arg-type]
        assert auth.sessions.for_user(user.id) == []

    def test_start_session_refuses_a_disabled_user(self, auth: Auth) -> None:
        user = auth.register_user(EMAIL, PASSWORD).value
        self.deactivate(auth, user.id)
        assert code(auth.start_session(user.id)) is Code.USER_DISABLED
        assert auth.sessions.for_user(user.id) == []

    def test_start_session_evicts_the_oldest_live_session_beyond_the_cap(
        self, config: AuthConfig, clock: ManualClock
    ) -> None:
        auth = self.make_auth(config.set_max_sessions_per_user(2), clock)
        user = auth.register_user(EMAIL, PASSWORD).value
        started: list[Session] = []
        for _ in range(3):
            clock.advance(1)
            started.append(auth.start_session(user.id).value.session)
        assert code(auth.authenticate_session(started[0].id)) is Code.SESSION_REVOKED
        assert all(auth.authenticate_session(s.id).ok for s in started[1:])
        assert stored(auth, started[0]).revoke_reason == "eviction"

    def test_logout_user_wins_over_a_start_session_in_flight(self, auth: Auth) -> None:
        grace = signed_in(auth)
        read = auth.users.get

        def revoke_everything_midway(user_id: UserId) -> User | None:
            del auth.users.get  # logout_user reads the user too: let it use the real lookup
            auth.logout_user(user_id)
            return read(user_id)

        auth.users.get = revoke_everything_midway  # type: ignore[method-assign]
        assert code(auth.start_session(grace.user.id)) is Code.SESSION_REVOKED
        (only,) = auth.sessions.for_user(grace.user.id)  # the losing session was never stored
        assert only.public_id == grace.session.public_id and only.revoked
        assert auth.authenticate_session(auth.start_session(grace.user.id).value.session.id).ok

    def test_use_session_reports_a_refresh_exactly_when_it_wrote(self, auth: Auth, clock: ManualClock) -> None:
        grace = signed_in(auth)
        ttl = timedelta(seconds=auth.config.session_ttl_seconds)
        extend, wrote = auth.sessions.extend, []

        def recording(digest: str, **kwargs: Any) -> bool:
            wrote.append(extend(digest, **kwargs))
            return wrote[-1]

        def use(idle: int | None = IDLE) -> bool:
            before = len(wrote)
            refreshed = auth.use_session(grace.session.id, refresh_if_idle_for=idle).value.refreshed
            assert refreshed is (wrote[before:] == [True])
            return refreshed

        auth.sessions.extend = recording  # type: ignore[method-assign]
        clock.advance(IDLE - 1)
        assert not use()
        assert stored(auth, grace.session).last_seen_at == grace.session.created_at
        now = clock.advance(1)
        assert use()
        row = stored(auth, grace.session)
        assert (row.last_seen_at, row.expires_at) == (now, now + ttl)
        assert not use()  # just refreshed: no longer idle
        clock.advance(IDLE * 3)
        assert not use(None)  # without the option, never
        assert stored(auth, grace.session).last_seen_at == now

    def test_use_session_whose_refresh_loses_to_a_logout_fails(self, auth: Auth, clock: ManualClock) -> None:
        grace = signed_in(auth)
        extend = auth.sessions.extend

        def logout_first(digest: str, **kwargs: Any) -> bool:
            auth.logout(grace.session.id)
            return extend(digest, **kwargs)

        auth.sessions.extend = logout_first  # type: ignore[method-assign]
        clock.advance(IDLE)
        assert code(auth.use_session(grace.session.id, refresh_if_idle_for=IDLE)) is Code.SESSION_REVOKED
        del auth.sessions.extend
        assert stored(auth, grace.session).last_seen_at == grace.session.created_at
