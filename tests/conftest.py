from __future__ import annotations

import pytest
from django.db import connection


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` need real row locks and concurrent connections."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (make test runs this leg when one is reachable)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
