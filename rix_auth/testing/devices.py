"""The contract's device rules: what is recorded, listing, revoking by handle, purging."""

from __future__ import annotations

from datetime import timedelta

from rix_auth.clock import ManualClock
from rix_auth.error import AuthErrorCode as Code
from rix_auth.inputs import CONTROL_CHARACTERS
from rix_auth.service import Auth
from rix_auth.testing.hooks import StoreHooks

EMAIL, PASSWORD = "grace@example.com", "correct-password"


class DeviceRules(StoreHooks):
    def test_a_user_agent_is_stored_without_control_characters_then_cut_to_the_column(self, auth: Auth) -> None:
        auth.register_user(EMAIL, PASSWORD)
        agent = "Evil\x1b]0;owned\x07\x1b[2J\r\n\x00\x7f\x9b\u202e/1.0 " + "A" * 300
        session = auth.login(EMAIL, PASSWORD, user_agent=agent).value.session
        (stored,) = auth.sessions_of(session.user_id).value
        assert stored.user_agent == ("Evil]0;owned[2J/1.0 " + "A" * 300)[:256]
        assert not any(ord(c) in CONTROL_CHARACTERS for value in self.stored_values(auth) for c in value)

    def test_sessions_of_lists_every_session_newest_first_without_ids(self, auth: Auth, clock: ManualClock) -> None:
        auth.register_user(EMAIL, PASSWORD)
        made = []
        for _ in range(3):
            clock.advance(1)
            made.append(auth.login(EMAIL, PASSWORD).value.session)
        listed = auth.sessions_of(made[0].user_id).value
        assert [s.public_id for s in listed] == [s.public_id for s in reversed(made)]
        assert not any(s.has_id() for s in listed)

    def test_a_handle_revokes_only_its_owners_session(self, auth: Auth) -> None:
        auth.register_user(EMAIL, PASSWORD)
        auth.register_user("eve@example.com", PASSWORD)
        grace = auth.login(EMAIL, PASSWORD).value
        eve = auth.login("eve@example.com", PASSWORD).value
        handle = grace.session.public_id
        refused = auth.revoke_session(handle, reason="logout", user_id=eve.user.id)
        assert refused.error is not None and refused.error.code is Code.INVALID_SESSION
        assert auth.authenticate_session(grace.session.id).ok
        first = auth.revoke_session(handle, reason="logout", user_id=grace.user.id).value
        again = auth.revoke_session(handle, reason="admin").value
        assert (first.revoked_now, again.revoked_now, again.session.revoke_reason) == (True, False, "logout")
        assert auth.authenticate_session(grace.session.id).error.code is Code.SESSION_REVOKED  # type: ignore[union-attr]

    def test_purge_deletes_in_batches_only_what_died_before_the_cutoff(self, auth: Auth, clock: ManualClock) -> None:
        auth.register_user(EMAIL, PASSWORD)
        sessions = [auth.login(EMAIL, PASSWORD).value.session for _ in range(5)]
        for session in sessions[:3]:
            auth.logout(session.id)
        clock.advance(minutes=30)  # sessions 3 and 4 live on
        keeper = auth.login(EMAIL, PASSWORD).value.session
        auth.logout(keeper.id)  # revoked, but after the cutoff
        cutoff = clock() - timedelta(minutes=10)
        assert list(auth.sessions.purge(cutoff, batch_size=2, dry_run=True)) == [3]
        assert len(auth.sessions_of(keeper.user_id).value) == 6
        assert list(auth.sessions.purge(cutoff, batch_size=2)) == [2, 1]
        left = {s.public_id for s in auth.sessions_of(keeper.user_id).value}
        assert left == {sessions[3].public_id, sessions[4].public_id, keeper.public_id}
        assert list(auth.sessions.purge(cutoff, batch_size=2)) == []
