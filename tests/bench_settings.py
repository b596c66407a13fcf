"""A lean stack for the request benchmark: only what the compared paths need."""

from tests.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "tests.bench_urls"
MIDDLEWARE = ["rix_auth.middleware.SessionMiddleware"]
SILENCED_SYSTEM_CHECKS = ["rix_auth.E006"]
RIX_AUTH = {"PRESET": "development", "REFRESH_INTERVAL_SECONDS": None}
ALLOWED_HOSTS = ["testserver"]
DATABASES = {"default": {**DATABASES["default"], "CONN_MAX_AGE": None}}  # noqa: F405  (persistent, as in production)
