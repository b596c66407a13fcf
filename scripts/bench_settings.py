"""A lean stack for the request benchmark: only what the compared paths need (scripts/bench.py
builds the django path's handler with Django's session and auth middleware instead)."""

from tests.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "scripts.bench_urls"
MIDDLEWARE = ["rix_auth.middleware.SessionMiddleware"]
SILENCED_SYSTEM_CHECKS = ["rix_auth.E006"]
RIX_AUTH = {"PRESET": "development", "REFRESH_INTERVAL_SECONDS": None}
ALLOWED_HOSTS = ["testserver"]
DATABASES = {"default": {**DATABASES["default"], "CONN_MAX_AGE": None}}  # noqa: F405  (persistent, as in production)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # not the test suite's database, so a
    # test run going on meanwhile keeps its own (SQLite's is in memory, one per process)
    DATABASES["default"]["TEST"] = {"NAME": "rix_auth_bench"}
