"""Settings for gunicorn workers (the soak test, the HTTP benchmark): PostgreSQL and a Redis session cache.

The driver passes, through the environment, the database it created (``RIX_AUTH_SOAK_DATABASE``),
a key prefix of the run's own (``RIX_AUTH_SOAK_PREFIX``) and whether the cache is on
(``RIX_AUTH_SOAK_CACHE=0`` turns it off, for the database-only comparison).
"""

import os

from tests.settings import *  # noqa: F403
from tests.settings_databases import chosen_databases

DATABASES = chosen_databases({**os.environ, "RIX_AUTH_TEST_DATABASE": "postgres"})
DATABASES["default"]["CONN_MAX_AGE"] = None  # persistent, as in production
if "RIX_AUTH_SOAK_DATABASE" in os.environ:
    DATABASES["default"]["NAME"] = os.environ["RIX_AUTH_SOAK_DATABASE"]

ALLOWED_HOSTS = ["127.0.0.1"]
MIDDLEWARE = ["rix_auth.middleware.SessionMiddleware"]
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "sessions": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("RIX_AUTH_SOAK_REDIS", "redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": os.environ.get("RIX_AUTH_SOAK_PREFIX", "rix-soak"),
        "OPTIONS": {"socket_timeout": 0.05, "socket_connect_timeout": 0.05},
    },
}
RIX_AUTH = {
    "PRESET": "development",
    "CACHE": None if os.environ.get("RIX_AUTH_SOAK_CACHE") == "0" else "sessions",
    "THROTTLE_CACHE": None,  # every client logs in from 127.0.0.1
}
