"""The rules every store must keep, written once and run per store."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest

from rix_auth import config as presets
from rix_auth.clock import ManualClock
from rix_auth.config import AuthConfig
from rix_auth.error import AuthErrorCode as Code
from rix_auth.result import Result
from rix_auth.service import Auth
from rix_auth.session import LoginResult
from rix_auth.testing.accounts import AccountRules
from rix_auth.testing.devices import DeviceRules
from rix_auth.testing.hooks import StoreHooks
from rix_auth.testing.live_state import LiveStateRules
from rix_auth.testing.reauthentication import ReauthenticationRules
from rix_auth.testing.throttle import ThrottleRules

EMAIL, PASSWORD = "grace@example.com", "correct-password"
TTL = 60 * 60


def assert_fails(result: Result[object], code: Code) -> None:
    assert result.failed and result.error is not None
    assert result.error.code is code, result.error
    with pytest.raises(type(result.error)):
        _ = result.value


class AuthContract(AccountRules, DeviceRules, LiveStateRules, ReauthenticationRules, ThrottleRules, StoreHooks):
    """Session rules (this class), account, device, live-state, re-authentication and throttle rules."""

    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock()

    @pytest.fixture
    def config(self) -> AuthConfig:
        return presets.development().set_session_ttl_seconds(TTL)

    @pytest.fixture
    def auth(self, config: AuthConfig, clock: ManualClock) -> Auth:
        return self.make_auth(config, clock)

    @pytest.fixture
    def grace(self, auth: Auth) -> LoginResult:
        assert auth.register_user(EMAIL, PASSWORD).ok
        return auth.login(EMAIL, PASSWORD).value

    def test_session_id_is_prefixed_url_safe_and_carries_at_least_128_random_bits(self, auth: Auth) -> None:
        auth.register_user(EMAIL, PASSWORD)
        ids = {auth.login(EMAIL, PASSWORD).value.session.id for _ in range(20)}
        assert len(ids) == 20
        for session_id in ids:
            assert re.fullmatch(r"session_[A-Za-z0-9_-]{22,}", session_id)
            assert (len(session_id) - len("session_")) * 6 >= 128

    def test_a_full_dump_of_the_store_cannot_authenticate_anyone(self, auth: Auth, grace: LoginResult) -> None:
        dump = list(self.stored_values(auth))
        assert dump
        assert not any(grace.session.id in value for value in dump)
        assert not any(grace.session.id.removeprefix("session_") in value for value in dump)
        for value in dump:
            for candidate in (value, "session_" + value):
                assert auth.authenticate_session(candidate).failed

    def test_the_public_handle_never_authenticates(self, auth: Auth, grace: LoginResult) -> None:
        handle = grace.session.public_id
        assert handle and handle not in grace.session.id
        assert_fails(auth.authenticate_session(handle), Code.INVALID_INPUT)

    def test_authenticate_returns_the_session_with_timezone_aware_utc_times(
        self, auth: Auth, grace: LoginResult, clock: ManualClock
    ) -> None:
        session = auth.authenticate_session(grace.session.id).value
        assert session.belongs_to(grace.user.id) and session.has_id(grace.session.id)
        assert session.created_at == session.last_seen_at == clock()
        assert session.expires_at == clock() + timedelta(seconds=TTL)
        for moment in (session.created_at, session.expires_at, session.last_seen_at):
            assert moment.utcoffset() == timedelta(0) and moment.tzinfo is not None
        assert session.usable(clock()) and not session.revoked and session.revoked_at is None

    @pytest.mark.parametrize(
        "bad",
        [None, 42, b"session_x", "", "x" * 257, "session_" + "a" * 300, "session_short", "token_" + "a" * 43,
         "session_" + "a" * 42 + "!", " session_" + "a" * 43],
    )  # fmt: skip
    def test_malformed_ids_are_invalid_input_before_any_lookup(self, auth: Auth, bad: object) -> None:
        with self.broken(auth):  # a lookup would turn into store_error
            assert_fails(auth.authenticate_session(bad), Code.INVALID_INPUT)  # type: ignore[arg-type]
            assert_fails(auth.refresh_session(bad), Code.INVALID_INPUT)  # type: ignore[arg-type]
            assert_fails(auth.logout(bad), Code.INVALID_INPUT)  # type: ignore[arg-type]

    def test_a_well_formed_unknown_id_is_an_invalid_session(self, auth: Auth, grace: LoginResult) -> None:
        assert_fails(auth.authenticate_session("session_" + "A" * 43), Code.INVALID_SESSION)

    def test_an_expired_session_fails_from_its_expiry_instant(
        self, auth: Auth, grace: LoginResult, clock: ManualClock
    ) -> None:
        clock.advance(TTL - 1)
        assert auth.authenticate_session(grace.session.id).ok
        clock.advance(1)
        assert_fails(auth.authenticate_session(grace.session.id), Code.SESSION_EXPIRED)

    def test_revocation_takes_precedence_over_expiry(self, auth: Auth, grace: LoginResult, clock: ManualClock) -> None:
        assert auth.logout(grace.session.id).ok
        clock.advance(TTL * 2)
        assert_fails(auth.authenticate_session(grace.session.id), Code.SESSION_REVOKED)

    def test_a_store_failure_is_a_store_error_and_authenticates_nobody(self, auth: Auth, grace: LoginResult) -> None:
        with self.broken(auth):
            assert_fails(auth.authenticate_session(grace.session.id), Code.STORE_ERROR)
            assert_fails(auth.refresh_session(grace.session.id), Code.STORE_ERROR)
            assert_fails(auth.logout(grace.session.id), Code.STORE_ERROR)
            assert_fails(auth.login(EMAIL, PASSWORD), Code.STORE_ERROR)
        assert auth.authenticate_session(grace.session.id).ok

    def test_refresh_extends_from_now_and_is_persisted(
        self, auth: Auth, grace: LoginResult, clock: ManualClock
    ) -> None:
        now = clock.advance(TTL - 5)
        refreshed = auth.refresh_session(grace.session.id).value
        assert (refreshed.expires_at, refreshed.last_seen_at) == (now + timedelta(seconds=TTL), now)
        clock.advance(TTL - 1)
        stored = auth.authenticate_session(grace.session.id).value
        assert (stored.expires_at, stored.last_seen_at) == (refreshed.expires_at, now)

    def test_refresh_after_logout_fails_as_revoked(self, auth: Auth, grace: LoginResult) -> None:
        auth.logout(grace.session.id)
        assert_fails(auth.refresh_session(grace.session.id), Code.SESSION_REVOKED)

    def test_an_expired_session_cannot_be_refreshed_back_to_life(
        self, auth: Auth, grace: LoginResult, clock: ManualClock
    ) -> None:
        clock.advance(TTL)
        assert_fails(auth.refresh_session(grace.session.id), Code.SESSION_EXPIRED)
        assert_fails(auth.authenticate_session(grace.session.id), Code.SESSION_EXPIRED)

    def test_the_absolute_lifetime_caps_every_refresh(self, clock: ManualClock) -> None:
        capped = presets.development().set_session_ttl_seconds(100).set_absolute_lifetime_seconds(250)
        auth = self.make_auth(capped, clock)
        auth.register_user(EMAIL, PASSWORD)
        login = auth.login(EMAIL, PASSWORD).value
        start = login.session.created_at
        for _ in range(4):
            clock.advance(90)
            refreshed = auth.refresh_session(login.session.id)
        assert_fails(refreshed, Code.SESSION_EXPIRED)
        assert clock() - start == timedelta(seconds=360)
        clock.advance(-110)  # back to 250 s: the cap itself
        assert_fails(auth.authenticate_session(login.session.id), Code.SESSION_EXPIRED)

    def test_production_sets_an_absolute_lifetime(self) -> None:
        production = presets.production()
        assert production.absolute_lifetime_seconds is not None
        assert production.absolute_lifetime_seconds >= production.session_ttl_seconds

    def test_logout_revokes_and_keeps_the_row_with_its_reason(
        self, auth: Auth, grace: LoginResult, clock: ManualClock
    ) -> None:
        assert auth.logout(grace.session.id).ok
        assert_fails(auth.authenticate_session(grace.session.id), Code.SESSION_REVOKED)
        (row,) = [s for s in auth.sessions.for_user(grace.user.id) if s.public_id == grace.session.public_id]
        assert (row.revoked, row.revoked_at, row.revoke_reason) == (True, clock(), "logout")

    def test_logout_twice_or_after_expiry_succeeds_and_stays_revoked(
        self, auth: Auth, grace: LoginResult, clock: ManualClock
    ) -> None:
        first = clock()
        auth.logout(grace.session.id)
        clock.advance(TTL * 3)
        assert auth.logout(grace.session.id).ok
        (row,) = auth.sessions.for_user(grace.user.id)
        assert (row.revoked_at, row.revoke_reason) == (first, "logout")
        other = auth.login(EMAIL, PASSWORD).value.session
        clock.advance(TTL)
        assert auth.logout(other.id).ok
        assert_fails(auth.authenticate_session(other.id), Code.SESSION_REVOKED)

    def test_logout_of_an_unknown_id_is_an_invalid_session(self, auth: Auth) -> None:
        assert_fails(auth.logout("session_" + "B" * 43), Code.INVALID_SESSION)

    def test_logout_user_revokes_all_and_only_that_users_sessions(self, auth: Auth, grace: LoginResult) -> None:
        mine = [grace.session] + [auth.login(EMAIL, PASSWORD).value.session for _ in range(2)]
        auth.logout(mine[2].id)
        auth.register_user("ada@example.com", PASSWORD)
        theirs = auth.login("ada@example.com", PASSWORD).value.session
        assert auth.logout_user(grace.user.id).value == 2
        for session in mine:
            assert_fails(auth.authenticate_session(session.id), Code.SESSION_REVOKED)
        assert auth.authenticate_session(theirs.id).ok
        reasons = sorted(s.revoke_reason for s in auth.sessions.for_user(grace.user.id))
        assert reasons == ["logout", "logout_user", "logout_user"]
        assert auth.logout_user(grace.user.id).value == 0

    def test_logout_user_of_an_unknown_user_is_user_not_found(self, auth: Auth) -> None:
        for unknown in ("user_nobody", 987654, None, True):
            assert_fails(auth.logout_user(unknown), Code.USER_NOT_FOUND)  # type: ignore[arg-type]

    def test_logout_user_wins_over_a_login_in_flight(self, auth: Auth, grace: LoginResult) -> None:
        check = auth.users.authenticate

        def revoke_everything_midway(email, password, **kwargs):  # type: ignore[no-untyped-def]
            auth.logout_user(grace.user.id)
            return check(email, password, **kwargs)

        auth.users.authenticate = revoke_everything_midway  # type: ignore[method-assign]
        assert_fails(auth.login(EMAIL, PASSWORD), Code.SESSION_REVOKED)
        del auth.users.authenticate
        assert all(s.revoked for s in auth.sessions.for_user(grace.user.id))
        assert auth.login(EMAIL, PASSWORD).ok

    def test_no_error_message_repr_or_str_reveals_a_session_id(
        self, auth: Auth, grace: LoginResult, clock: ManualClock
    ) -> None:
        session_id = grace.session.id
        texts = [repr(grace), str(grace), repr(grace.session), repr(auth.authenticate_session(session_id))]
        auth.logout(session_id)
        clock.advance(TTL)
        for result in (auth.authenticate_session(session_id), auth.refresh_session(session_id)):
            assert result.error is not None
            texts += [result.error.message, str(result.error), repr(result.error), repr(result)]
        assert not any(session_id in text or session_id[8:] in text for text in texts)

    def test_the_session_helpers_agree_with_authenticate(
        self, auth: Auth, grace: LoginResult, clock: ManualClock
    ) -> None:
        session = grace.session
        assert session.valid() and session.has_id() and session.has_user_id()
        assert not session.has_id("session_" + "C" * 43) and session.belongs_to(str(grace.user.id))
        assert session.refreshable(clock()) and not session.expired(clock())
        later = clock() + timedelta(seconds=TTL)
        assert session.expired(later) and not session.usable(later) and not session.refreshable(later)
        assert session.created_at.tzinfo is UTC or session.created_at.utcoffset() == timedelta(0)

    def test_a_session_revoked_between_the_read_and_the_write_of_a_refresh_is_not_refreshed(
        self, auth: Auth, grace: LoginResult, clock: ManualClock
    ) -> None:
        extend = auth.sessions.extend

        def revoke_first(digest, **kwargs):  # type: ignore[no-untyped-def]
            auth.logout(grace.session.id)
            return extend(digest, **kwargs)

        auth.sessions.extend = revoke_first  # type: ignore[method-assign]
        clock.advance(60)
        assert_fails(auth.refresh_session(grace.session.id), Code.SESSION_REVOKED)
        del auth.sessions.extend
        (row,) = auth.sessions.for_user(grace.user.id)
        assert row.last_seen_at == grace.session.created_at
