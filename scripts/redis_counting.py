"""Count what a Django ``RedisCache`` sends: round trips and commands, per process.

Pass :class:`CountingConnection` as the cache's ``OPTIONS["connection_class"]``;
:func:`cache_settings` builds such a cache with a key prefix of its own, so
counts and keys never mix with another run on the same Redis.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from redis.connection import Connection

REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass
class Counts:
    round_trips: int = 0
    commands: int = 0


_counts = Counts()
_lock = threading.Lock()


class CountingConnection(Connection):
    """A redis-py connection that counts each packet it sends and the commands in it,
    leaving out its own handshake."""

    _connecting = False

    def connect_check_health(self, *args: Any, **kwargs: Any) -> None:
        self._connecting = True
        try:
            super().connect_check_health(*args, **kwargs)
        finally:
            self._connecting = False

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        if not self._connecting:
            with _lock:
                _counts.round_trips += 1
        super().send_packed_command(command, check_health)  # type: ignore[no-untyped-call]

    def send_command(self, *args: Any, **kwargs: Any) -> None:
        self._count(1)
        super().send_command(*args, **kwargs)  # type: ignore[no-untyped-call]

    def pack_commands(self, commands: Any) -> list[bytes | memoryview]:
        commands = list(commands)
        self._count(len(commands))
        packed: list[bytes | memoryview] = super().pack_commands(commands)  # type: ignore[no-untyped-call]
        return packed

    def _count(self, commands: int) -> None:
        if not self._connecting:
            with _lock:
                _counts.commands += commands


@contextmanager
def counting() -> Iterator[Counts]:
    """What the block sent, counted in this process (every thread)."""
    with _lock:
        start = Counts(_counts.round_trips, _counts.commands)
    seen = Counts()
    try:
        yield seen
    finally:
        with _lock:
            seen.round_trips = _counts.round_trips - start.round_trips
            seen.commands = _counts.commands - start.commands


def cache_settings(location: str = REDIS_URL, *, timeout: float = 0.05, prefix: str | None = None) -> dict[str, Any]:
    """A counted ``RedisCache`` under a fresh key prefix, with socket timeouts of ``timeout`` seconds."""
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": prefix or f"rix-test-{uuid.uuid4().hex[:12]}",
        "OPTIONS": {
            "connection_class": CountingConnection,
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        },
    }
