"""Cheap hashers for tests only: the same algorithms, far less memory and time."""

from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8192
    parallelism = 1


class WeakArgon2PasswordHasher(Argon2PasswordHasher):
    """Weaker still: stands for hashes made before the parameters were raised."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 far below Django's cost, yet clearly dearer (about 2-4x) than the quick argon2:
    a legacy hasher whose cost a login's timing must not reveal."""

    iterations = 45_000
