"""Races settled by the database, proved with real concurrent connections (PostgreSQL, MariaDB/MySQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import connections

import rix_auth
from rix_auth import AuthErrorCode as Code
from rix_auth.clock import ManualClock
from rix_auth.models import Session as SessionRow
from rix_auth.result import Result
from rix_auth.service import Auth
from rix_auth.session import LoginResult, User
from rix_auth.stores.base import Account, Rehashed
from rix_auth.stores.database import DatabaseSessionStore
from rix_auth.stores.django_users import DjangoUserStore

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]
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


@contextmanager
def login_held_after_its_password_check(auth: Auth) -> Iterator[Callable[[], Result[LoginResult]]]:
    """Starts a login in its own connection and holds it just after the password check for the
    block; yields the function that lets it go on and returns its result."""
    checked, go_on = threading.Event(), threading.Event()
    check = auth.users.authenticate

    def check_then_wait(email: str, password: str, **kwargs: Any) -> User | None:
        user = check(email, password, **kwargs)
        checked.set()
        assert go_on.wait(WAIT)
        return user

    def finish() -> Result[LoginResult]:
        go_on.set()
        return pending.result(WAIT)

    auth.users.authenticate = check_then_wait  # type: ignore[method-assign]
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(in_own_connection(lambda: auth.login(EMAIL, PASSWORD)))
        assert checked.wait(WAIT)
        yield finish


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
    with login_held_after_its_password_check(auth) as finish:
        assert rix_auth.database().logout_user(user_id).ok
        result = finish()
    assert result.error is not None and result.error.code is Code.SESSION_REVOKED
    assert rix_auth.stores.database_sessions().for_user(user_id) == []


class TrustingUserStore(DjangoUserStore):
    """A custom store that checks the hash of the account it is handed, as the memory store does,
    instead of reading the user again through Django's backends: what it checks is only as fresh
    as the account login read."""

    def authenticate(
        self, email: str, password: str, *, account: Account | None, request: object = None, on_rehash: Rehashed = None
    ) -> User | None:
        if account is None:
            make_password(password)  # an unknown email costs one hash too
            return None
        return account.user if check_password(password, account.password_hash) else None


@pytest.mark.parametrize("store", [DjangoUserStore, TrustingUserStore])
@pytest.mark.parametrize("change", ["password", "deactivation"])
@pytest.mark.parametrize("pause_after", ["users.find_id", "sessions.epoch", "users.find_by_email"])
def test_a_change_committed_while_a_login_reads_the_account_opens_no_session_for_the_old_state(
    store: type[DjangoUserStore], change: str, pause_after: str
) -> None:
    """Login pauses after each read it makes before the password check, while another connection
    changes the password or deactivates the user and commits (rix_auth's receiver then advances
    the epoch). Read before the account, the epoch either predates the change (the session is
    refused) or the account shows it (the check fails): no session is ever opened for the old
    password or the active account. With the account read before the epoch, a change committed
    between the two was missed and the old password opened a session."""
    auth = Auth(users=store(), sessions=DatabaseSessionStore())
    user_id = auth.register_user(EMAIL, PASSWORD).value.id
    paused, release = threading.Event(), threading.Event()
    owner, name = pause_after.split(".")
    target = auth.users if owner == "users" else auth.sessions
    read = getattr(target, name)

    def read_then_pause(*args: Any) -> Any:
        value = read(*args)
        if threading.current_thread().name == "login" and not paused.is_set():
            paused.set()
            assert release.wait(WAIT)
        return value

    results: dict[str, Any] = {}
    login = threading.Thread(
        name="login", target=in_own_connection(lambda: results.setdefault("login", auth.login(EMAIL, PASSWORD)))
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(target, name, read_then_pause)
        login.start()
        assert paused.wait(WAIT), f"login never called {pause_after}"
        user = get_user_model()._default_manager.get(pk=user_id)
        if change == "password":
            user.set_password("another-password-7")
        else:
            user.is_active = False
        user.save()  # committed at once (autocommit), sessions revoked and the epoch advanced
        release.set()
        login.join(WAIT)
    assert not login.is_alive()
    result = results["login"]
    assert result.error is not None, "a login with the old state opened a session"
    assert result.error.code in {Code.INVALID_CREDENTIALS, Code.USER_DISABLED, Code.SESSION_REVOKED}
    assert all(session.revoked for session in auth.sessions.for_user(user_id))


@pytest.mark.parametrize(("change", "code"), [("password", Code.SESSION_REVOKED), ("deactivation", Code.USER_DISABLED)])
def test_a_user_a_backend_signs_in_unlooked_for_is_read_again_after_its_epoch(
    settings: Any, change: str, code: Code
) -> None:
    """The email lookup found nobody, so no epoch could be read before the check: the backend
    creates the account and signs it in. A change committed between that check and the epoch
    read that follows it shows in the user read after the epoch: no session for the old state."""
    settings.AUTHENTICATION_BACKENDS = ["tests.backends.DirectoryBackend"]
    settings.TEST_DIRECTORY = {EMAIL: PASSWORD}
    auth = rix_auth.database()
    with login_held_after_its_password_check(auth) as finish:
        user = get_user_model()._default_manager.get(email=EMAIL)
        if change == "password":
            user.set_password("another-password-7")
        else:
            user.is_active = False
        user.save()
        result = finish()
    assert result.error is not None and result.error.code is code
    assert all(session.revoked for session in auth.sessions.for_user(user.pk))


def test_two_purges_at_once_delete_each_dead_row_once() -> None:
    clock = ManualClock()
    auth = rix_auth.database(None, rix_auth.config.development().set_session_ttl_seconds(60), clock=clock)
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
