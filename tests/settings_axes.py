"""The test settings with django-axes in front of Django's ModelBackend, for tests/axes_lockout.py.

rix_auth's own throttle is off here, so every refusal comes from axes. tests/test_throttle.py runs
that module in a subprocess: axes registers its signal handlers when its app loads, which no
``override_settings`` can undo in a running test session.
"""

import os
from datetime import timedelta

from tests.settings import *  # noqa: F403
from tests.settings_databases import chosen_databases

INSTALLED_APPS = [*INSTALLED_APPS, "axes"]  # noqa: F405
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 3
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_VERBOSE = False
RIX_AUTH = {"PRESET": "development", "THROTTLE_CACHE": None}

# On a server, beside (not over) the parent run's test database.
DATABASES = chosen_databases(os.environ, test_name="rix_auth_test_axes")
