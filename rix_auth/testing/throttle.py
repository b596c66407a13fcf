"""The contract's throttle rules: what Auth tells its throttle, whatever the store.

A login is counted by its outcome alone, so an unknown email and a wrong password must
reach the throttle alike; a refused login must reach no store at all.
"""

from __future__ import annotations

from rix_auth.error import AuthErrorCode as Code
from rix_auth.service import Auth
from rix_auth.testing.hooks import StoreHooks
from rix_auth.throttle import LoginThrottle

EMAIL, PASSWORD = "grace@example.com", "correct-password"
IP = "192.0.2.7"

Call = tuple[str, str | None, str | None]


class RecordingThrottle(LoginThrottle):
    """Remembers every call; refuses with ``wait`` seconds when given."""

    def __init__(self, wait: int | None = None) -> None:
        self.wait = wait
        self.calls: list[Call] = []

    def blocked(self, email: str, ip: str | None) -> int | None:
        self.calls.append(("blocked", email, ip))
        return self.wait

    def failed(self, email: str, ip: str | None) -> None:
        self.calls.append(("failed", email, ip))

    def succeeded(self, email: str, ip: str | None) -> None:
        self.calls.append(("succeeded", email, ip))

    def registering(self, ip: str | None) -> int | None:
        self.calls.append(("registering", None, ip))
        return self.wait


class ThrottleRules(StoreHooks):
    def test_the_throttle_hears_an_unknown_email_and_a_wrong_password_alike(self, auth: Auth) -> None:
        user = auth.register_user(EMAIL, PASSWORD).value
        auth.throttle = recorder = RecordingThrottle()
        auth.login("nobody@example.com", "wrong-password", ip=IP)
        auth.login(" GRACE@example.com", "wrong-password", ip=IP)  # asked with the canonical email
        auth.login(EMAIL, PASSWORD, ip=IP)
        self.deactivate(auth, user.id)
        assert auth.login(EMAIL, PASSWORD, ip=IP).error.code is Code.USER_DISABLED  # type: ignore[union-attr]
        assert recorder.calls == [
            ("blocked", "nobody@example.com", IP), ("failed", "nobody@example.com", IP),
            ("blocked", EMAIL, IP), ("failed", EMAIL, IP),
            ("blocked", EMAIL, IP), ("succeeded", EMAIL, IP),
            ("blocked", EMAIL, IP), ("failed", EMAIL, IP),
        ]  # fmt: skip

    def test_a_refused_login_reaches_no_store(self, auth: Auth) -> None:
        assert auth.register_user(EMAIL, PASSWORD).ok
        auth.throttle = RecordingThrottle(wait=30)
        with self.broken(auth):  # any store call would make this a store_error
            refused = auth.login(EMAIL, PASSWORD, ip=IP).error
        assert refused is not None
        assert (refused.code, refused.retry_after) == (Code.TOO_MANY_ATTEMPTS, 30)

    def test_a_store_failure_is_not_a_failed_login(self, auth: Auth) -> None:
        assert auth.register_user(EMAIL, PASSWORD).ok
        auth.throttle = recorder = RecordingThrottle()
        with self.broken(auth):
            assert auth.login(EMAIL, PASSWORD, ip=IP).error.code is Code.STORE_ERROR  # type: ignore[union-attr]
        assert recorder.calls == [("blocked", EMAIL, IP)]
