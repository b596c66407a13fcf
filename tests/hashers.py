"""Cheap argon2id for tests only: same algorithm, far less memory and time."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8192
    parallelism = 1


class WeakArgon2PasswordHasher(Argon2PasswordHasher):
    """Weaker still: stands for hashes made before the parameters were raised."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
