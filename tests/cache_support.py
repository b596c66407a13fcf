"""Fixtures for the session cache's tests: a real Redis under a key prefix of each test's own."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from pytest_django.fixtures import Settings

from scripts.redis_counting import REDIS_URL, cache_settings

ALIAS = "sessions"


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def use_session_cache(settings: Settings, cache: dict[str, Any], **rix: object) -> None:
    """Point ``RIX_AUTH['CACHE']`` at ``cache`` (Django's ``setting_changed`` rebuilds the Auth)."""
    settings.CACHES = {**settings.CACHES, ALIAS: cache}
    settings.RIX_AUTH = {**settings.RIX_AUTH, "CACHE": ALIAS, **rix}


def drop_keys(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(name="session_cache")
def session_cache_fixture(settings: Settings) -> Iterator[dict[str, Any]]:
    """``RIX_AUTH['CACHE']`` names a counted Redis cache with a fresh key prefix; its keys go afterwards."""
    if not redis_reachable():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    cache = cache_settings()
    use_session_cache(settings, cache)
    yield cache
    drop_keys(cache["KEY_PREFIX"])
