"""The cache-fronted database store: the contract, the request path's cost, and what an entry holds."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import caches
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from rix_auth.clock import ManualClock
from rix_auth.conf import get_auth
from rix_auth.config import AuthConfig
from rix_auth.models import Session as SessionRow
from rix_auth.models import SessionEpoch
from rix_auth.service import Auth
from rix_auth.session import UserId
from rix_auth.stores import cache_entry
from rix_auth.stores.cached import CachedSessionStore
from rix_auth.stores.database import DatabaseSessionStore
from rix_auth.stores.django_users import DjangoUserStore
from rix_auth.testing import AuthContract
from scripts.redis_counting import REDIS_URL, counting
from tests import test_store_contract
from tests.cache_support import session_cache_fixture  # noqa: F401  (the session_cache fixture)
from tests.conftest import bearer

pytestmark = pytest.mark.django_db(transaction=True)  # invalidations run when a transaction commits
LOCAL = "default"  # the contract runs on the per-process cache: every rule, no server needed


def cached_store(auth: Auth) -> CachedSessionStore:
    assert isinstance(auth.sessions, CachedSessionStore)
    return auth.sessions


class TestCachedStore(AuthContract):
    def make_auth(self, config: AuthConfig, clock: ManualClock) -> Auth:
        sessions = CachedSessionStore(DatabaseSessionStore("default"), LOCAL, clock=clock)
        return Auth(users=DjangoUserStore("default"), sessions=sessions, config=config, clock=clock)

    def stored_values(self, auth: Auth) -> Iterator[str]:
        """The database's rows and the cache's keys and values."""
        for model in (SessionRow, SessionEpoch):
            for row in model.objects.values_list():
                yield from (str(value) for value in row)
        for key, value in caches[LOCAL]._cache.items():  # type: ignore[attr-defined]
            yield key
            yield str(pickle.loads(value))  # noqa: S301  (our own test cache)

    def deactivate(self, auth: Auth, user_id: UserId) -> None:
        """A bulk update is seen once the entry ages out (``CACHE_TTL_SECONDS``): the cache is
        emptied here to stand for that; tests/test_cache_coherence.py times it."""
        test_store_contract.TestDatabaseStore.deactivate(self, auth, user_id)  # type: ignore[arg-type]
        caches[LOCAL].clear()

    def reactivate(self, auth: Auth, user_id: UserId) -> None:
        test_store_contract.TestDatabaseStore.reactivate(self, auth, user_id)  # type: ignore[arg-type]
        caches[LOCAL].clear()

    def change_password(self, auth: Auth, user_id: UserId, password: str | None) -> None:
        get_user_model().objects.filter(pk=user_id).update(password=make_password(password))
        caches[LOCAL].clear()

    @contextmanager
    def broken(self, auth: Auth) -> Iterator[None]:
        """The database fails, and so does the cache (an alias that does not exist)."""
        store = cached_store(auth)
        with test_store_contract.TestDatabaseStore.broken(self, auth):  # type: ignore[arg-type]
            store.cache_alias = "no-such-cache"
            try:
                yield
            finally:
                store.cache_alias = LOCAL


class Ticks:
    """The store's monotonic clock, moved by hand: when the generation's lease is renewed."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticks(session_cache: dict[str, Any]) -> Ticks:
    ticking = Ticks()
    cached_store(get_auth()).versions.ticks = ticking
    return ticking


def test_an_authenticated_request_costs_one_cache_round_trip_and_no_query(
    client: Client, ticks: Ticks, bearer_login: Callable[..., str], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    session_id = bearer_login()
    for _ in range(2):  # the first reads give the session a version token, then an entry
        assert client.get("/whoami-plain/", headers=bearer(session_id)).json()["user_id"]
    with django_assert_num_queries(0), counting() as sent:
        response = client.get("/whoami-plain/", headers=bearer(session_id))
    assert response.json() == {"user_id": get_user_model().objects.get().pk, "error": None}
    assert (sent.round_trips, sent.commands) == (1, 1)


def test_readers_renew_the_generation_lease_once_a_third_of_it_has_passed(
    client: Client, ticks: Ticks, bearer_login: Callable[..., str], session_cache: dict[str, Any]
) -> None:
    session_id = bearer_login()
    for _ in range(2):
        client.get("/whoami-plain/", headers=bearer(session_id))
    lease = cached_store(get_auth()).versions.lease_seconds
    ticks.now += lease / 3 - 0.01
    with counting() as early:
        client.get("/whoami-plain/", headers=bearer(session_id))
    ticks.now += 0.01
    with counting() as due:
        client.get("/whoami-plain/", headers=bearer(session_id))
    assert (early.commands, due.commands) == (1, 2)  # the second adds EXPIRE on the generation
    generation = f"{session_cache['KEY_PREFIX']}:1:{cache_entry.GENERATION_KEY}"
    assert 0 < redis.Redis.from_url(REDIS_URL).pttl(generation) <= lease * 1000


def test_request_user_of_a_cached_session_costs_one_query_when_read(
    client: Client, session_cache: dict[str, Any], bearer_login: Callable[..., str],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:  # fmt: skip
    session_id = bearer_login()
    client.get("/whoami-plain/", headers=bearer(session_id))
    with django_assert_num_queries(1):
        response = client.get("/whoami-async/", headers=bearer(session_id))
    assert response.json()["email"] == "grace@example.com"


def test_a_new_session_is_cached_from_its_second_read_on(
    client: Client, ticks: Ticks, bearer_login: Callable[..., str], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """The first read gives the session a version token (and the cache a generation), the
    second writes the entry stamped with it, the third is served from the cache."""
    session_id = bearer_login()
    with django_assert_num_queries(1), counting() as first:
        client.get("/whoami-plain/", headers=bearer(session_id))
    with django_assert_num_queries(1), counting() as second:
        client.get("/whoami-plain/", headers=bearer(session_id))
    with django_assert_num_queries(0):
        client.get("/whoami-plain/", headers=bearer(session_id))
    assert (first.round_trips, second.round_trips) == (3, 2)  # get_many + two tokens; get_many + the entry


def test_an_id_that_names_no_session_writes_nothing_but_the_generation(
    client: Client, session_cache: dict[str, Any]
) -> None:
    for n in range(5):
        response = client.get("/whoami-plain/", headers=bearer(f"session_{'A' * 42}{n}"))
        assert response.json() == {"user_id": None, "error": "invalid_session"}
    keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(match=f"{session_cache['KEY_PREFIX']}:*"))
    assert keys == [f"{session_cache['KEY_PREFIX']}:1:{cache_entry.GENERATION_KEY}".encode()]


def test_the_cache_holds_a_small_entry_keyed_by_digest_and_never_the_session_id(
    client: Client, session_cache: dict[str, Any], bearer_login: Callable[..., str]
) -> None:
    session_id = bearer_login()
    for _ in range(2):
        client.get("/whoami-plain/", headers=bearer(session_id))
    raw = redis.Redis.from_url(REDIS_URL)
    keys = list(raw.scan_iter(match=f"{session_cache['KEY_PREFIX']}:*"))
    values = [raw.get(key) or b"" for key in keys]
    assert len(keys) == 3  # the entry, its version token, the generation
    secret = session_id.removeprefix("session_").encode()
    assert not any(secret in blob for blob in [*keys, *values])
    entry = raw.get(f"{session_cache['KEY_PREFIX']}:1:{cache_entry.entry_key(_digest(session_id))}")
    assert entry is not None and len(entry) < 512


@pytest.mark.usefixtures("session_cache")
def test_the_configured_store_is_cached_only_when_cache_is_set(settings: Settings) -> None:
    assert isinstance(get_auth().sessions, CachedSessionStore)
    settings.RIX_AUTH = {"PRESET": "development"}
    assert isinstance(get_auth().sessions, DatabaseSessionStore)


def test_a_command_on_another_database_keeps_the_cache_in_front(settings: Settings) -> None:
    from rix_auth.management.databases import sessions_on

    settings.RIX_AUTH = {"PRESET": "development", "CACHE": LOCAL}
    moved = sessions_on(get_auth().sessions, "default")
    assert isinstance(moved, CachedSessionStore)
    assert (moved.cache_alias, moved.inner.alias, moved.ttl_seconds) == (LOCAL, "default", 60)


def test_only_a_database_store_can_be_fronted(settings: Settings) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.RIX_AUTH = {"CACHE": "default", "SESSION_STORE": "rix_auth.stores.memory_sessions"}
    with pytest.raises(ImproperlyConfigured, match="fronts the database session store"):
        get_auth()


def _digest(session_id: str) -> str:
    from rix_auth import tokens

    return tokens.digest(session_id)


REDIS = "django.core.cache.backends.redis.RedisCache"
BOUNDED = {"socket_timeout": 0.005, "socket_connect_timeout": 0.005}


@pytest.mark.parametrize(
    ("rix", "caches", "expected"),
    [
        ({"CACHE": "sessions"}, {"sessions": {"BACKEND": REDIS, "OPTIONS": BOUNDED}}, []),
        ({"CACHE": "missing"}, {}, ["rix_auth.E020"]),
        ({"CACHE": 3}, {}, ["rix_auth.E020"]),
        ({"CACHE": "sessions", "CACHE_TTL_SECONDS": 0}, {"sessions": {"BACKEND": REDIS, "OPTIONS": BOUNDED}},
         ["rix_auth.E004"]),
        ({"CACHE": "sessions"}, {"sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
         ["rix_auth.W020"]),
        ({"CACHE": "sessions"}, {"sessions": {"BACKEND": REDIS}}, ["rix_auth.W021"]),
        ({"CACHE": "sessions"}, {"sessions": {"BACKEND": REDIS, "OPTIONS": {"socket_timeout": 0.005}}},
         ["rix_auth.W021"]),
    ],
)  # fmt: skip
def test_the_session_cache_checks(
    rix: dict[str, object], caches: dict[str, object], expected: list[str], settings: Settings
) -> None:
    from rix_auth import checks

    settings.RIX_AUTH = {"PRESET": "development", **rix}
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, **caches}
    found = checks.check_settings() + checks.check_session_cache() + checks.check_session_cache_is_shared()
    assert [message.id for message in found] == expected
