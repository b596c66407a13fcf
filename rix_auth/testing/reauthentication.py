"""The contract's re-authentication rules: ``authenticated_at`` and ``reauthenticate``.

``authenticated_at`` is when the user last proved who they are on a session: its
creation, then each successful ``reauthenticate``. Nothing else moves it, and only
the session's own user's password, on a usable session, does.
"""

from __future__ import annotations

from typing import Any

import pytest

from rix_auth import tokens
from rix_auth.clock import ManualClock
from rix_auth.error import AuthErrorCode as Code
from rix_auth.service import Auth
from rix_auth.session import User, UserId
from rix_auth.testing.common import EMAIL, NEW_PASSWORD, PASSWORD, code, signed_in, stored
from rix_auth.testing.hooks import StoreHooks

OTHER_EMAIL, OTHER_PASSWORD = "ada@example.com", "another-password-7"
UNKNOWN_ID = "session_" + "R" * 43





class ReauthenticationRules(StoreHooks):
    def test_authenticated_at_is_the_creation_time_after_a_login(self, auth: Auth, clock: ManualClock) -> None:
        clock.advance(7)
        grace = signed_in(auth)
        assert grace.session.authenticated_at == grace.session.created_at == clock()
        assert auth.authenticate_session(grace.session.id).value.authenticated_at == clock()
        assert stored(auth, grace.session).authenticated_at == clock()

    def test_authenticated_at_is_the_creation_time_after_start_session(self, auth: Auth, clock: ManualClock) -> None:
        user = auth.register_user(EMAIL, PASSWORD).value
        clock.advance(11)
        started = auth.start_session(user.id).value.session
        assert started.authenticated_at == started.created_at == clock()
        assert auth.authenticate_session(started.id).value.authenticated_at == clock()
        assert stored(auth, started).authenticated_at == clock()

    def test_a_refresh_does_not_move_authenticated_at(self, auth: Auth, clock: ManualClock) -> None:
        grace = signed_in(auth)
        clock.advance(600)
        refreshed = auth.refresh_session(grace.session.id).value
        assert refreshed.last_seen_at == clock() and refreshed.authenticated_at == grace.session.created_at
        clock.advance(600)
        used = auth.use_session(grace.session.id, refresh_if_idle_for=0).value
        assert used.refreshed and used.session.authenticated_at == grace.session.created_at
        row = stored(auth, grace.session)
        assert (row.last_seen_at, row.authenticated_at) == (clock(), grace.session.created_at)

    def test_reauthenticate_moves_authenticated_at_to_now_and_nothing_else(
        self, auth: Auth, clock: ManualClock
    ) -> None:
        grace = signed_in(auth)
        now = clock.advance(900)
        session = auth.reauthenticate(grace.session.id, PASSWORD, ip="203.0.113.7").value
        assert session.public_id == grace.session.public_id and session.has_id(grace.session.id)
        assert session.authenticated_at == now
        row = stored(auth, grace.session)
        assert row.authenticated_at == now
        before = grace.session
        assert (row.created_at, row.last_seen_at, row.expires_at, row.ip) == (
            before.created_at, before.last_seen_at, before.expires_at, before.ip)  # fmt: skip
        assert auth.authenticate_session(grace.session.id).value.authenticated_at == now
        clock.advance(60)
        assert auth.reauthenticate(grace.session.id, PASSWORD).value.authenticated_at == clock()

    def test_reauthenticate_moves_only_that_session(self, auth: Auth, clock: ManualClock) -> None:
        grace = signed_in(auth)
        other = auth.login(EMAIL, PASSWORD).value.session
        clock.advance(30)
        assert auth.reauthenticate(grace.session.id, PASSWORD).ok
        assert stored(auth, grace.session).authenticated_at == clock()
        assert stored(auth, other).authenticated_at == other.created_at

    @pytest.mark.parametrize("wrong", ["wrong-password", PASSWORD.upper(), PASSWORD + " ", NEW_PASSWORD])
    def test_a_wrong_password_is_invalid_credentials_and_moves_nothing(
        self, auth: Auth, clock: ManualClock, wrong: str
    ) -> None:
        grace = signed_in(auth)
        clock.advance(120)
        assert code(auth.reauthenticate(grace.session.id, wrong)) is Code.INVALID_CREDENTIALS
        assert stored(auth, grace.session).authenticated_at == grace.session.created_at
        assert auth.authenticate_session(grace.session.id).ok  # a wrong password ends nothing

    def test_another_users_password_does_not_work(self, auth: Auth, clock: ManualClock) -> None:
        grace = signed_in(auth)
        assert auth.register_user(OTHER_EMAIL, OTHER_PASSWORD).ok
        ada = auth.login(OTHER_EMAIL, OTHER_PASSWORD).value.session
        clock.advance(120)
        assert code(auth.reauthenticate(grace.session.id, OTHER_PASSWORD)) is Code.INVALID_CREDENTIALS
        assert code(auth.reauthenticate(ada.id, PASSWORD)) is Code.INVALID_CREDENTIALS
        assert stored(auth, grace.session).authenticated_at == grace.session.created_at
        assert stored(auth, ada).authenticated_at == ada.created_at

    def test_a_revoked_session_cannot_reauthenticate(self, auth: Auth, clock: ManualClock) -> None:
        grace = signed_in(auth)
        assert auth.logout(grace.session.id).ok
        clock.advance(5)
        assert code(auth.reauthenticate(grace.session.id, PASSWORD)) is Code.SESSION_REVOKED
        assert stored(auth, grace.session).authenticated_at == grace.session.created_at
        assert not auth.sessions.reauthenticated(tokens.digest(grace.session.id), now=clock())

    def test_an_expired_session_cannot_reauthenticate(self, auth: Auth, clock: ManualClock) -> None:
        grace = signed_in(auth)
        clock.advance(auth.config.session_ttl_seconds)
        assert code(auth.reauthenticate(grace.session.id, PASSWORD)) is Code.SESSION_EXPIRED
        assert code(auth.authenticate_session(grace.session.id)) is Code.SESSION_EXPIRED  # not revived either
        assert not auth.sessions.reauthenticated(tokens.digest(grace.session.id), now=clock())
        assert stored(auth, grace.session).authenticated_at == grace.session.created_at

    def test_an_unknown_session_cannot_reauthenticate(self, auth: Auth, clock: ManualClock) -> None:
        signed_in(auth)
        assert code(auth.reauthenticate(UNKNOWN_ID, PASSWORD)) is Code.INVALID_SESSION
        assert not auth.sessions.reauthenticated(tokens.digest(UNKNOWN_ID), now=clock())

    def test_a_disabled_users_session_is_user_disabled(self, auth: Auth) -> None:
        grace = signed_in(auth)
        self.deactivate(auth, grace.user.id)
        assert code(auth.reauthenticate(grace.session.id, PASSWORD)) is Code.USER_DISABLED
        assert stored(auth, grace.session).authenticated_at == grace.session.created_at

    def test_a_user_disabled_while_the_password_is_checked_is_user_disabled(self, auth: Auth) -> None:
        grace = signed_in(auth)
        check = auth.users.authenticate_user

        def deactivate_midway(user_id: UserId, password: str, **kwargs: Any) -> User | None:
            self.deactivate(auth, user_id)
            return check(user_id, password, **kwargs)

        auth.users.authenticate_user = deactivate_midway  # type: ignore[method-assign]
        assert code(auth.reauthenticate(grace.session.id, PASSWORD)) is Code.USER_DISABLED
        del auth.users.authenticate_user
        assert stored(auth, grace.session).authenticated_at == grace.session.created_at

    def test_after_a_password_change_the_old_session_cannot_reauthenticate(self, auth: Auth) -> None:
        grace = signed_in(auth)
        self.change_password(auth, grace.user.id, NEW_PASSWORD)
        for password in (PASSWORD, NEW_PASSWORD):
            assert code(auth.reauthenticate(grace.session.id, password)) is Code.SESSION_REVOKED

    def test_a_session_revoked_while_the_password_is_checked_is_not_marked(
        self, auth: Auth, clock: ManualClock
    ) -> None:
        grace = signed_in(auth)
        check = auth.users.authenticate_user

        def logout_midway(user_id: UserId, password: str, **kwargs: Any) -> User | None:
            auth.logout(grace.session.id)
            return check(user_id, password, **kwargs)

        auth.users.authenticate_user = logout_midway  # type: ignore[method-assign]
        clock.advance(60)
        assert code(auth.reauthenticate(grace.session.id, PASSWORD)) is Code.SESSION_REVOKED
        del auth.users.authenticate_user
        assert stored(auth, grace.session).authenticated_at == grace.session.created_at

    @pytest.mark.parametrize(
        ("session_id", "password", "ip"),
        [("nonsense", PASSWORD, None), (None, PASSWORD, None), (UNKNOWN_ID, "", None), (UNKNOWN_ID, None, None),
         (UNKNOWN_ID, "p" * 1025, None), (UNKNOWN_ID, "pass\x00word", None), (UNKNOWN_ID, PASSWORD, "not-an-ip")],
    )  # fmt: skip
    def test_malformed_input_is_invalid_input_before_any_lookup(
        self, auth: Auth, session_id: object, password: object, ip: object
    ) -> None:
        with self.broken(auth):  # a lookup would turn into store_error
            result = auth.reauthenticate(session_id, password, ip=ip)  # type: ignore[arg-type]
            assert code(result) is Code.INVALID_INPUT

    def test_a_store_failure_is_a_store_error_and_moves_nothing(self, auth: Auth, clock: ManualClock) -> None:
        grace = signed_in(auth)
        clock.advance(60)
        with self.broken(auth):
            assert code(auth.reauthenticate(grace.session.id, PASSWORD)) is Code.STORE_ERROR
        assert stored(auth, grace.session).authenticated_at == grace.session.created_at

    def test_no_error_of_reauthenticate_reveals_the_session_id_or_the_password(self, auth: Auth) -> None:
        grace = signed_in(auth)
        failures = [auth.reauthenticate(grace.session.id, "wrong-password")]
        auth.logout(grace.session.id)
        failures.append(auth.reauthenticate(grace.session.id, PASSWORD))
        for failed in failures:
            assert failed.error is not None
            for text in (failed.error.message, str(failed.error), repr(failed.error), repr(failed)):
                assert grace.session.id[8:] not in text and PASSWORD not in text and "wrong-password" not in text
