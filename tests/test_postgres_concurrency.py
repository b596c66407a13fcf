"""Races settled by the database, proved with real concurrent connections."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

import pytest
from django.db import connections

import rix_auth
from rix_auth import AuthErrorCode as Code
from rix_auth.clock import ManualClock
from rix_auth.models import Session as SessionRow
from rix_auth.stores.database import DatabaseSessionStore

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
EMAIL, PASSWORD = "grace@example.com", "correct-password"
T = TypeVar("T")
WAIT = 10  # seconds; only reached when a test is about to fail


def in_own_connection(work: Callable[[], T]) -> Callable[[], T]:
    """Run ``work`` in a thread's own database connection, closed afterwards."""

    def run() -> T:
        try:
            return work()
        finally:
            connections.close_all()

    return run


def test_concurrent_registrations_of_one_email_create_exactly_one_user() -> None:
    auth = rix_auth.database()
    start = threading.Barrier(6)

    def register(n: int) -> Code | None:
        start.wait(WAIT)
        result = auth.register_user(EMAIL if n % 2 else EMAIL.upper(), PASSWORD)
        return None if result.error is None else result.error.code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = list(pool.map(lambda n: in_own_connection(lambda: register(n))(), range(6)))
    assert codes.count(None) == 1
    assert codes.count(Code.USER_ALREADY_EXISTS) == 5


def test_logout_user_waits_for_a_login_mid_commit_and_then_revokes_its_session() -> None:
    auth = rix_auth.database()
    user_id = auth.register_user(EMAIL, PASSWORD).value.id
    inserted, release = threading.Event(), threading.Event()
    real_epoch = DatabaseSessionStore._epoch

    def epoch_pausing_inside_create(store: DatabaseSessionStore, uid: object) -> int:
        if threading.current_thread().name == "login" and connections[store.alias].in_atomic_block:
            inserted.set()  # the session row is written, the user row locked, nothing committed
            assert release.wait(WAIT)
        return real_epoch(store, uid)  # type: ignore[arg-type]

    results: dict[str, object] = {}
    login = threading.Thread(
        name="login", target=in_own_connection(lambda: results.setdefault("login", auth.login(EMAIL, PASSWORD)))
    )
    logout_all = threading.Thread(
        target=in_own_connection(lambda: results.setdefault("revoked", auth.logout_user(user_id).value))
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseSessionStore, "_epoch", epoch_pausing_inside_create)
        login.start()
        assert inserted.wait(WAIT)
        logout_all.start()
        logout_all.join(0.5)
        assert logout_all.is_alive(), "logout_user must wait for the user row lock"
        release.set()
        login.join(WAIT)
        logout_all.join(WAIT)
    assert results["revoked"] == 1
    session_id = results["login"].value.session.id  # type: ignore[attr-defined]
    assert auth.authenticate_session(session_id).error.code is Code.SESSION_REVOKED  # type: ignore[union-attr]


def test_a_login_whose_password_check_straddles_logout_user_fails_across_connections() -> None:
    auth = rix_auth.database()
    user_id = auth.register_user(EMAIL, PASSWORD).value.id
    checked, revoked = threading.Event(), threading.Event()
    check = auth.users.authenticate

    def slow_check(email, password, **kwargs):
        user = check(email, password, **kwargs)
        checked.set()
        assert revoked.wait(WAIT)
        return user

    auth.users.authenticate = slow_check  # type: ignore[method-assign]
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(in_own_connection(lambda: auth.login(EMAIL, PASSWORD)))
        assert checked.wait(WAIT)
        assert rix_auth.database().logout_user(user_id).ok
        revoked.set()
        result = pending.result(WAIT)
    assert result.error is not None and result.error.code is Code.SESSION_REVOKED
    assert rix_auth.stores.database_sessions().for_user(user_id) == []


def test_two_purges_at_once_delete_each_dead_row_once() -> None:
    clock = ManualClock()
    auth = rix_auth.database("default", rix_auth.config.development().set_session_ttl_seconds(60), clock=clock)
    auth.register_user(EMAIL, PASSWORD)
    for _ in range(300):
        auth.login(EMAIL, PASSWORD)
    store, before = DatabaseSessionStore(), clock() + timedelta(days=1)
    start = threading.Barrier(2)

    def purge() -> int:
        start.wait(WAIT)
        return sum(store.purge(before, batch_size=25))

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(lambda _: in_own_connection(purge)(), range(2)))
    assert sum(counts) == 300
    assert not SessionRow.objects.exists()
