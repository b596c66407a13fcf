"""The test databases, chosen by ``RIX_AUTH_TEST_DATABASE``: ``sqlite`` (default), ``postgres`` or ``mysql``.

``default`` serves every test; ``sessions``, a second database of the same kind, is created only
for the tests that ask for it (tests/test_routers.py routes rix_auth there). The servers' test
databases take ``RIX_AUTH_TEST_DB_SUFFIX`` (e.g. ``_$$``) so two runs on one server stay apart.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

Databases = dict[str, dict[str, Any]]
ALIASES = {"default": "", "sessions": "_sessions"}  # alias: what its test database's name adds


def chosen_databases(environ: Mapping[str, str], test_name: str = "rix_auth_test") -> Databases:
    """``test_name`` (plus the suffix) names the test databases on a server."""
    kind = environ.get("RIX_AUTH_TEST_DATABASE", "sqlite")
    if kind == "sqlite":
        return {alias: {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"} for alias in ALIASES}
    if kind not in _SERVERS:
        raise ValueError(f"RIX_AUTH_TEST_DATABASE={kind!r}: expected sqlite, postgres or mysql.")
    suffix = environ.get("RIX_AUTH_TEST_DB_SUFFIX", "")
    chosen = {alias: _server(environ, kind) for alias in ALIASES}
    for alias, server in chosen.items():
        server["TEST"] = {**server.get("TEST", {}), "NAME": test_name + ALIASES[alias] + suffix}
    return chosen


_SERVERS = {  # kind: engine, prefix of the environment variables, default user and port
    "postgres": ("django.db.backends.postgresql", "PG", "postgres", "5432"),
    "mysql": ("django.db.backends.mysql", "MYSQL_", "root", "3306"),
}
# MariaDB and MySQL: full Unicode, and the isolation level Django's database notes recommend.
_MYSQL_EXTRA = {"OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"}, "TEST": {"CHARSET": "utf8mb4"}}


def _server(environ: Mapping[str, str], kind: str) -> dict[str, Any]:
    engine, prefix, user, port = _SERVERS[kind]
    server = {
        "ENGINE": engine,
        "NAME": environ.get(f"{prefix}DATABASE", "test"),
        "USER": environ.get(f"{prefix}USER", user),
        "PASSWORD": environ.get(f"{prefix}PASSWORD", ""),
        "HOST": environ.get(f"{prefix}HOST", "127.0.0.1"),
        "PORT": environ.get(f"{prefix}PORT", port),
    }
    return {**server, **copy.deepcopy(_MYSQL_EXTRA)} if kind == "mysql" else server
