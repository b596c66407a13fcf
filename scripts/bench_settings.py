"""A lean stack for the request benchmark: only what the compared paths need (scripts/bench.py
builds the django path's handler with Django's session and auth middleware instead)."""

import os
from importlib.util import find_spec

from tests.settings import *  # noqa: F403

DEBUG = False
if find_spec("knox"):  # its token table, for the knox path (which is skipped without it)
    INSTALLED_APPS = [*INSTALLED_APPS, "knox"]  # noqa: F405
ROOT_URLCONF = "scripts.bench_urls"
MIDDLEWARE = ["rix_auth.middleware.SessionMiddleware"]
SILENCED_SYSTEM_CHECKS = ["rix_auth.E006"]
RIX_AUTH = {"PRESET": "development", "REFRESH_INTERVAL_SECONDS": None}
ALLOWED_HOSTS = ["testserver"]
DATABASES = {"default": {**DATABASES["default"], "CONN_MAX_AGE": None}}  # noqa: F405  (persistent, as in production)
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # not the test suite's database, so a
    # test run going on meanwhile keeps its own (SQLite's is in memory, one per process)
    DATABASES["default"]["TEST"] = {**DATABASES["default"].get("TEST", {}), "NAME": "rix_auth_bench"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get("RIX_AUTH_BENCH_PREPARED"):
    # psycopg then plans a repeated statement once per connection (README, Performance)
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
