"""The contract's account rules: registration and login."""

from __future__ import annotations

import statistics
import time

import pytest

from rix_auth.clock import ManualClock
from rix_auth.config import AuthConfig
from rix_auth.error import AuthErrorCode as Code
from rix_auth.service import Auth
from rix_auth.testing.common import EMAIL, PASSWORD, code
from rix_auth.testing.hooks import StoreHooks


class AccountRules(StoreHooks):
    def test_register_trims_and_folds_the_email_once(self, auth: Auth) -> None:
        user = auth.register_user("  Grace@Example.COM \n", PASSWORD).value
        assert user.email == EMAIL
        assert auth.login(EMAIL, PASSWORD).ok
        assert auth.login("GRACE@example.com", PASSWORD).ok

    @pytest.mark.parametrize(
        "twin",
        ["GRACE@EXAMPLE.COM", " grace@example.com", "\uff47race@example.com", "grace@\uff45xample.com"],
    )
    def test_an_email_differing_only_by_case_or_lookalike_width_is_taken(self, auth: Auth, twin: str) -> None:
        assert auth.register_user(EMAIL, PASSWORD).ok
        assert code(auth.register_user(twin, "another-password")) is Code.USER_ALREADY_EXISTS
        assert code(auth.login(twin, "another-password")) is Code.INVALID_CREDENTIALS

    def test_unicode_case_folds_the_same_way_on_every_store(self, auth: Auth) -> None:
        assert auth.register_user("grace@\u00c9cole.example", PASSWORD).ok  # SQLite's LIKE would miss this
        assert code(auth.register_user("grace@\u00e9cole.example", PASSWORD)) is Code.USER_ALREADY_EXISTS
        assert auth.login("GRACE@\u00e9COLE.example", PASSWORD).ok

    @pytest.mark.parametrize("email", ["", "   ", "grace", "grace@", "@example.com", "a b@example.com", None, 7,
                                       "g" * 250 + "@example.com"])  # fmt: skip
    def test_an_invalid_email_is_invalid_input(self, auth: Auth, email: object) -> None:
        assert code(auth.register_user(email, PASSWORD)) is Code.INVALID_INPUT  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("email", "password"),
        [("grace\x00@example.com", PASSWORD), (EMAIL, "pass\x00word-1"),
         ("grace\ud800@example.com", PASSWORD), (EMAIL, "pass\ud800word-1")],
    )  # fmt: skip
    def test_text_no_store_can_hold_is_invalid_input_not_a_store_error(
        self, auth: Auth, email: str, password: str
    ) -> None:
        assert code(auth.register_user(email, password)) is Code.INVALID_INPUT
        assert code(auth.login(email, password)) is Code.INVALID_INPUT

    @pytest.mark.parametrize("password", ["", "p" * 1025, None, b"bytes-password"])
    def test_an_empty_or_overlong_password_is_invalid_input(self, auth: Auth, password: object) -> None:
        assert code(auth.register_user(EMAIL, password)) is Code.INVALID_INPUT  # type: ignore[arg-type]
        assert code(auth.login(EMAIL, password)) is Code.INVALID_INPUT  # type: ignore[arg-type]

    def test_a_1024_character_password_is_accepted(self, auth: Auth) -> None:
        long_password = "Long-enough " * 85 + "1234"
        assert len(long_password) == 1024
        assert auth.register_user(EMAIL, long_password).ok
        assert auth.login(EMAIL, long_password).ok

    def test_unknown_email_and_wrong_password_look_identical(self, auth: Auth) -> None:
        auth.register_user(EMAIL, PASSWORD)
        unknown = auth.login("nobody@example.com", PASSWORD).error
        wrong = auth.login(EMAIL, "wrong-password").error
        assert unknown is not None and wrong is not None
        assert (unknown.code, unknown.message) == (wrong.code, wrong.message) == (
            Code.INVALID_CREDENTIALS, wrong.message)  # fmt: skip

    def test_login_timing_does_not_tell_an_unknown_email_from_a_wrong_password(self, auth: Auth) -> None:
        auth.register_user(EMAIL, PASSWORD)

        def seconds(email: str) -> float:
            start = time.perf_counter()
            assert code(auth.login(email, "wrong-password")) is Code.INVALID_CREDENTIALS
            return time.perf_counter() - start

        for _ in range(3):  # warm caches and the dummy hash
            seconds("nobody@example.com"), seconds(EMAIL)
        unknown, wrong = [], []
        for _ in range(41):  # interleaved, so machine noise hits both alike
            unknown.append(seconds("nobody@example.com"))
            wrong.append(seconds(EMAIL))
        ratio = statistics.median(unknown) / statistics.median(wrong)
        assert 0.75 <= ratio <= 1.25, f"unknown/wrong login time ratio {ratio:.2f}"

    def test_a_disabled_user_with_the_right_password_is_user_disabled(self, auth: Auth) -> None:
        user = auth.register_user(EMAIL, PASSWORD).value
        self.deactivate(auth, user.id)
        assert code(auth.login(EMAIL, PASSWORD)) is Code.USER_DISABLED
        assert code(auth.login(EMAIL, "wrong-password")) is Code.INVALID_CREDENTIALS

    def test_login_records_the_device(self, auth: Auth) -> None:
        auth.register_user(EMAIL, PASSWORD)
        session = auth.login(EMAIL, PASSWORD, ip="2001:db8::1", user_agent="Firefox " + "x" * 400).value.session
        (stored,) = auth.sessions.for_user(session.user_id)
        assert (stored.ip, stored.user_agent) == ("2001:db8::1", ("Firefox " + "x" * 400)[:256])
        assert code(auth.login(EMAIL, PASSWORD, ip="not-an-ip")) is Code.INVALID_INPUT

    def test_the_oldest_live_session_is_evicted_beyond_the_cap(self, config: AuthConfig, clock: ManualClock) -> None:
        auth = self.make_auth(config.set_max_sessions_per_user(2), clock)
        auth.register_user(EMAIL, PASSWORD)
        first, second, third = (auth.login(EMAIL, PASSWORD).value.session for _ in range(3) if clock.advance(1))
        assert code(auth.authenticate_session(first.id)) is Code.SESSION_REVOKED
        assert auth.authenticate_session(second.id).ok and auth.authenticate_session(third.id).ok
        reasons = {s.public_id: s.revoke_reason for s in auth.sessions.for_user(first.user_id)}
        assert reasons[first.public_id] == "eviction"
