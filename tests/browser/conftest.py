"""Browser tests drive Debian's Chromium through selenium; they run only with RIX_AUTH_BROWSER=1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

import rix_auth


@pytest.fixture(scope="session")
def static_files() -> Iterator[None]:
    """The stylesheet and icon, served by the live server as a site's static files are; set before
    the live server starts, since it reads ``STATIC_URL`` once."""
    with override_settings(STATIC_URL="/static/", STATIC_ROOT=str(Path(rix_auth.__file__).parent / "static")):
        yield
