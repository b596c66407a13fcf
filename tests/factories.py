"""Factories for tests: stores that ``RIX_AUTH`` can name, users, and a log of signals sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.dispatch import Signal

import rix_auth
from rix_auth.config import Argon2Parameters
from rix_auth.stores.memory import MemoryUserStore
from tests.conftest import PASSWORD

CHEAP_ARGON2 = Argon2Parameters(time_cost=1, memory_cost_kib=8, parallelism=1)
NOT_A_FACTORY = "a string where RIX_AUTH expects a callable"

Sent = list[tuple[Signal, dict[str, Any]]]


def memory_users() -> MemoryUserStore:
    """``rix_auth.stores.memory_users`` with argon2 cheap enough for a test run (the default takes 64 MiB)."""
    return MemoryUserStore(CHEAP_ARGON2)


def django_user(email: str, password: str = PASSWORD) -> Any:
    """A user of ``AUTH_USER_MODEL`` registered the way rix_auth registers them."""
    return rix_auth.get_auth().register_user(email, password).value.native


def open_session(user: Any) -> str:
    """The id of a new session for ``user``, opened as a view that trusts them would."""
    return rix_auth.get_auth().start_session(user.pk).value.session.id


@contextmanager
def signal_log(*signals: Signal) -> Iterator[Sent]:
    """Every send of ``signals`` while the block runs, as ``(signal, kwargs)`` in order."""
    sent: Sent = []

    def receive(signal: Signal, **kwargs: Any) -> None:
        sent.append((signal, kwargs))

    for signal in signals:
        signal.connect(receive, weak=False)
    try:
        yield sent
    finally:
        for signal in signals:
            signal.disconnect(receive)


def sent_by(sent: Sent, signal: Signal) -> list[dict[str, Any]]:
    return [kwargs for s, kwargs in sent if s is signal]
