"""A bounded soak: two gunicorn worker processes, eight client threads, revocations mixed in.

``make soak`` runs the long form (scripts/soak.py).
"""

from __future__ import annotations

import pytest
from django.db import connection

from scripts.soak import soak
from tests.cache_support import redis_reachable

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]  # the workers see committed rows


def test_no_request_authenticates_a_session_after_its_revocation_returned() -> None:
    if not redis_reachable():
        pytest.skip("needs Redis on 127.0.0.1:6379")
    report = soak(connection.settings_dict["NAME"], requests=6000, threads=8)
    assert report.requests >= 6000
    assert min(report.revocations.values()) > 0 and report.authenticated > 0 and report.refused > 0
    assert (report.violations, report.server_errors) == (0, 0), report
