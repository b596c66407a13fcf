"""Password hashing: argon2id for stores that do not go through Django's hashers, and, for those
that do, a check whose cost does not depend on which of Django's hashers made the stored hash."""

from __future__ import annotations

import functools
import secrets
from functools import cached_property
from typing import TYPE_CHECKING

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from rix_auth.config import Argon2Parameters

if TYPE_CHECKING:
    from django.contrib.auth.hashers import BasePasswordHasher


class Argon2id:
    """Hash, verify and spot outdated hashes with one set of parameters."""

    def __init__(self, parameters: Argon2Parameters) -> None:
        self._hasher = PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_cost_kib,
            parallelism=parameters.parallelism,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def verify_dummy(self, password: str) -> None:
        """One verification against a throwaway hash made with these parameters."""
        self.verify(self._dummy_hash, password)

    @cached_property
    def _dummy_hash(self) -> str:
        return self._hasher.hash(secrets.token_urlsafe(16))


def even_out_django_check(password: str, checked_hash: str | None, *, matched: bool, rehashed: bool = False) -> None:
    """Top up the password check Django just ran to one verification with each hasher in
    ``PASSWORD_HASHERS``, so that what a login costs tells neither which hasher made the
    account's hash nor whether there is an account.

    ``checked_hash`` is the stored hash the check ran against, ``None`` when there is no such
    user (Django's ``ModelBackend`` then hashes the password once with the first hasher).
    Django's check runs the hasher that made the hash, or the first hasher when the hash is
    unusable or made by a hasher no longer configured; every other configured hasher then
    verifies the password once against a throwaway hash made with its current parameters.
    A wrong password against a hash made with fewer rounds than its hasher's current setting
    (an old PBKDF2 iteration count) is also padded up to them, as Django does only for the
    first hasher. ``rehashed``: the password was right and Django re-hashed it with the first
    hasher, which then counts as that hasher's turn.

    The price: every login costs the sum of the configured hashers' costs, so list only the
    hashers some stored hash still uses.
    """
    from django.contrib.auth.hashers import get_hashers

    configured = get_hashers()
    preferred = configured[0]
    ran = _hasher_django_runs(checked_hash, preferred)
    if not matched and checked_hash is not None and ran.algorithm != preferred.algorithm:
        ran.harden_runtime(password, checked_hash)
    done = {ran.algorithm, preferred.algorithm} if rehashed else {ran.algorithm}
    for hasher in configured:
        if hasher.algorithm in done:
            continue
        done.add(hasher.algorithm)
        dummy = _dummy_hash(hasher)
        if dummy is not None:
            hasher.verify(password, dummy)


def _hasher_django_runs(encoded: str | None, preferred: BasePasswordHasher) -> BasePasswordHasher:
    """The hasher ``django.contrib.auth.hashers.check_password`` runs for ``encoded``."""
    from django.contrib.auth.hashers import identify_hasher, is_password_usable

    if encoded is None or not is_password_usable(encoded):
        return preferred
    try:
        return identify_hasher(encoded)
    except ValueError:  # gibberish, or a hasher no longer configured: Django hashes with the first
        return preferred


@functools.lru_cache(maxsize=32)
def _dummy_hash(hasher: BasePasswordHasher) -> str | None:
    """A throwaway hash made by ``hasher`` with its current parameters (one per configured
    hasher: Django builds new instances when ``PASSWORD_HASHERS`` changes)."""
    try:
        return str(hasher.encode(secrets.token_urlsafe(16), hasher.salt()))
    except ValueError:  # its library is not installed, so no stored hash can be checked with it either
        return None
