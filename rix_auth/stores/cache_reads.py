"""The request path's one cache read, as cheap as the backend allows.

Django's ``RedisCache`` builds a new ``redis.Redis`` client for every call; with redis-py 5
and later that copies a table of response callbacks and costs about as much as the round trip
itself. For that backend this module keeps one client per cache object (Django keeps a cache
object per thread) and sends the ``MGET`` with the cache's own key function and serializer:
what ``get_many`` does, minus the client. Any other backend gets plain ``get_many``.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from django.core.cache import BaseCache
from django.core.cache.backends.redis import RedisCache

_clients: WeakKeyDictionary[BaseCache, Any] = WeakKeyDictionary()


def get_many(cache: BaseCache, keys: list[str]) -> dict[str, Any]:
    """``cache.get_many(keys)``, in one round trip."""
    if not isinstance(cache, RedisCache):
        return cache.get_many(keys)
    backend: Any = cache._cache  # Django's RedisCacheClient
    client = _clients.get(cache)
    if client is None:
        client = _clients[cache] = backend.get_client()
    values = client.mget([cache.make_key(key) for key in keys])
    loads = backend._serializer.loads
    return {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}
