"""The request path's one cache read, as cheap as the backend allows.

Django's ``RedisCache`` builds a new ``redis.Redis`` client for every call; with redis-py 5
and later that copies a table of response callbacks and costs about as much as the round trip
itself, and the client then takes a connection from its pool and gives it back under a lock. For
that backend this module keeps one connection per cache object (Django keeps a cache object per
thread, so no two threads share it) and sends the ``MGET`` on it with the cache's own key function
and serializer: what ``get_many`` does, minus the client and the pool. A connection that failed
mid-reply is closed and forgotten, so no later read can take the rest of that reply for its own.
Any other backend gets plain ``get_many``.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from django.core.cache import BaseCache
from django.core.cache.backends.redis import RedisCache

_connections: WeakKeyDictionary[BaseCache, Any] = WeakKeyDictionary()


def get_many(cache: BaseCache, keys: list[str]) -> dict[str, Any]:
    """``cache.get_many(keys)``, in one round trip."""
    if not isinstance(cache, RedisCache):
        return cache.get_many(keys)
    backend: Any = cache._cache  # Django's RedisCacheClient
    connection = _connections.get(cache)
    if connection is None:
        connection = _connections[cache] = backend.get_client().connection_pool.get_connection()
    try:
        connection.send_command("MGET", *(cache.make_key(key) for key in keys))
        values = connection.read_response()
    except BaseException:
        connection.disconnect()
        del _connections[cache]
        raise
    loads = backend._serializer.loads
    return {key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None}
