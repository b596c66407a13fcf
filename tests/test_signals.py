"""Signals fire with what receivers need, and never with a session id."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.dispatch import Signal

import rix_auth
from rix_auth import signals
from rix_auth.error import AuthErrorCode as Code
from tests.conftest import EMAIL, PASSWORD

Calls = list[tuple[str, dict[str, object]]]


@pytest.fixture
def calls() -> Iterator[Calls]:
    seen: Calls = []
    receivers = {}
    for name in ("session_created", "session_refreshed", "session_revoked", "authentication_failed"):
        signal: Signal = getattr(signals, name)
        receivers[name] = lambda sender, name=name, **kwargs: seen.append((name, kwargs))
        signal.connect(receivers[name], weak=False)
    yield seen
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


def test_the_session_lifecycle_is_signalled_without_ids(calls: Calls) -> None:
    auth = rix_auth.memory(rix_auth.config.development().set_max_sessions_per_user(1))
    auth.register_user(EMAIL, PASSWORD)
    first = auth.login(EMAIL, PASSWORD).value
    second = auth.login(EMAIL, PASSWORD).value.session
    auth.refresh_session(second.id)
    auth.authenticate_session(first.session.id)
    auth.logout(second.id)
    auth.logout(second.id)  # already revoked: no second signal
    auth.logout_user(first.user.id)
    auth.login(EMAIL, "wrong-password")
    names = [name for name, _ in calls]
    assert names == [
        "session_created", "session_revoked", "session_created", "session_refreshed",
        "authentication_failed", "session_revoked", "session_revoked", "authentication_failed",
    ]  # fmt: skip
    revoked = [kwargs for name, kwargs in calls if name == "session_revoked"]
    assert [(r["reason"], r["count"]) for r in revoked] == [("eviction", 1), ("logout", 1), ("logout_user", 0)]
    failed = [kwargs for name, kwargs in calls if name == "authentication_failed"]
    assert failed == [
        {"signal": signals.authentication_failed, "code": Code.SESSION_REVOKED, "operation": "authenticate"},
        {"signal": signals.authentication_failed, "code": Code.INVALID_CREDENTIALS, "operation": "login"},
    ]
    everything = repr(calls)
    assert first.session.id not in everything and second.id not in everything
    assert PASSWORD not in everything


def test_a_failing_receiver_is_logged_and_never_fails_the_login(caplog: pytest.LogCaptureFixture) -> None:
    def broken_receiver(sender: object, **kwargs: object) -> None:
        raise RuntimeError("receiver bug")

    signals.session_created.connect(broken_receiver, weak=False)
    try:
        auth = rix_auth.memory()
        auth.register_user(EMAIL, PASSWORD)
        assert auth.login(EMAIL, PASSWORD).ok
    finally:
        signals.session_created.disconnect(broken_receiver)
    assert "receiver bug" in caplog.text


def test_every_revoke_reason_is_a_model_choice_and_nothing_else_is_accepted() -> None:
    from rix_auth.models import Session as SessionRow
    from rix_auth.session import RevokeReason

    assert SessionRow._meta.get_field("revoke_reason").choices == [(r.value, r.label) for r in RevokeReason]
    auth = rix_auth.memory()
    user = auth.register_user(EMAIL, PASSWORD).value
    assert auth.logout_user(user.id, reason="x" * 40).error.code is Code.INVALID_INPUT  # type: ignore[union-attr]
    assert auth.revoke_session("0" * 16, reason="because").error.code is Code.INVALID_INPUT  # type: ignore[union-attr]
