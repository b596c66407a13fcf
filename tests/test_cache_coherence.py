"""A revocation made through one process is refused on the very next request in every other.

Each test has a writer (the configured Auth, which the model receivers also use) and a reader
with a cache store of its own, as another worker process would have; both share Redis and the
database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from pytest_django import DjangoAssertNumQueries

from rix_auth import config
from rix_auth.clock import ManualClock
from rix_auth.conf import get_auth
from rix_auth.error import AuthErrorCode as Code
from rix_auth.service import Auth
from rix_auth.session import LoginResult
from rix_auth.stores.cached import CachedSessionStore
from rix_auth.stores.database import DatabaseSessionStore
from rix_auth.stores.django_users import DjangoUserStore
from rix_auth.testing.common import EMAIL, PASSWORD, code
from tests.cache_support import ALIAS, session_cache_fixture  # noqa: F401  (the session_cache fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("session_cache")]
TTL = 60


def process(clock: ManualClock, *, max_sessions: int | None = None) -> Auth:
    """An Auth with a cache store of its own, as another worker process has."""
    sessions = CachedSessionStore(DatabaseSessionStore("default"), ALIAS, ttl_seconds=TTL, clock=clock)
    chosen = config.development().set_max_sessions_per_user(max_sessions)
    return Auth(users=DjangoUserStore("default"), sessions=sessions, config=chosen, clock=clock)


@pytest.fixture
def reader(clock: ManualClock) -> Auth:
    return process(clock)


@pytest.fixture
def grace(reader: Auth) -> LoginResult:
    """Logged in, and read by the reader until the cache holds the session."""
    assert get_auth().register_user(EMAIL, PASSWORD).ok
    signed_in = get_auth().login(EMAIL, PASSWORD).value
    for _ in range(2):  # a version token first, then the entry
        assert reader.authenticate_session(signed_in.session.id).ok
    return signed_in


def user_of(grace: LoginResult) -> Any:
    return get_user_model().objects.get(pk=grace.user.id)


def new_password(grace: LoginResult) -> None:
    user = user_of(grace)
    user.set_password("a-brand-new-password-1")
    user.save()


def deactivated(grace: LoginResult) -> None:
    user = user_of(grace)
    user.is_active = False
    user.save()


def evicted(grace: LoginResult, clock: ManualClock) -> None:
    assert process(clock, max_sessions=1).login(EMAIL, PASSWORD).ok


def purged(grace: LoginResult, clock: ManualClock) -> None:
    assert get_auth().logout(grace.session.id).ok
    clock.advance(seconds=1)
    assert list(get_auth().sessions.purge(clock(), batch_size=100)) == [1]


REVOCATIONS: dict[str, tuple[Callable[[LoginResult, ManualClock], object], Code]] = {
    "logout": (lambda grace, clock: get_auth().logout(grace.session.id), Code.SESSION_REVOKED),
    "revoke by handle": (lambda grace, clock: get_auth().revoke_session(grace.session.public_id, reason="admin"),
                         Code.SESSION_REVOKED),
    "logout_user": (lambda grace, clock: get_auth().logout_user(grace.user.id), Code.SESSION_REVOKED),
    "password change": (lambda grace, clock: new_password(grace), Code.SESSION_REVOKED),
    "deactivation": (lambda grace, clock: deactivated(grace), Code.USER_DISABLED),
    "eviction": (evicted, Code.SESSION_REVOKED),
    "purge": (purged, Code.INVALID_SESSION),
    "user deletion": (lambda grace, clock: user_of(grace).delete(), Code.INVALID_SESSION),
}  # fmt: skip


@pytest.mark.parametrize("revocation", REVOCATIONS)
def test_a_revocation_elsewhere_is_refused_on_the_next_request(
    revocation: str, reader: Auth, grace: LoginResult, clock: ManualClock
) -> None:
    revoke, refused = REVOCATIONS[revocation]
    revoke(grace, clock)
    assert code(reader.authenticate_session(grace.session.id)) is refused


@pytest.mark.parametrize("reads_before", [1, 2], ids=["first copy", "aged-out copy"])
def test_a_copy_read_before_a_revocation_and_written_back_after_it_is_never_served(
    reads_before: int, reader: Auth, clock: ManualClock, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """The reader reads the live row, the logout commits and invalidates, then the reader writes its copy."""
    assert get_auth().register_user(EMAIL, PASSWORD).ok
    session_id = get_auth().login(EMAIL, PASSWORD).value.session.id
    for _ in range(reads_before):  # a version token; then an entry, which ages out
        assert reader.authenticate_session(session_id).ok
    clock.advance(seconds=TTL)
    store = reader.sessions
    assert isinstance(store, CachedSessionStore)
    read_row = store.inner.get

    def read_then_logout_elsewhere(digest: str) -> Any:
        row = read_row(digest)
        assert get_auth().logout(session_id).ok
        return row

    with mock.patch.object(store.inner, "get", side_effect=read_then_logout_elsewhere):
        assert reader.authenticate_session(session_id).ok  # this request began before the logout
    assert code(reader.authenticate_session(session_id)) is Code.SESSION_REVOKED
    with django_assert_num_queries(0):  # the refusal is cached too
        assert code(reader.authenticate_session(session_id)) is Code.SESSION_REVOKED


def test_a_change_that_sends_no_signal_shows_once_the_entry_is_ttl_old(
    reader: Auth, grace: LoginResult, clock: ManualClock
) -> None:
    get_user_model().objects.filter(pk=grace.user.id).update(is_active=False)
    clock.advance(seconds=TTL - 1)
    assert reader.authenticate_session(grace.session.id).ok  # the documented bound: CACHE_TTL_SECONDS
    clock.advance(seconds=1)
    assert code(reader.authenticate_session(grace.session.id)) is Code.USER_DISABLED


def test_a_refresh_elsewhere_moves_the_expiry_every_process_sees(
    reader: Auth, grace: LoginResult, clock: ManualClock
) -> None:
    clock.advance(seconds=30)
    refreshed = get_auth().refresh_session(grace.session.id).value
    seen = reader.authenticate_session(grace.session.id).value
    assert (seen.expires_at, seen.last_seen_at) == (refreshed.expires_at, clock())
    assert seen.expires_at > grace.session.expires_at + timedelta(seconds=29)
