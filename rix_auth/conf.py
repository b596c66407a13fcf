"""The ``RIX_AUTH`` settings dict, read each time it is used and never written back.

Keys, all optional::

    RIX_AUTH = {
        "PRESET": "production",           # default: "development" when DEBUG, else "production"
        "SESSION_TTL_SECONDS": 86400,     # default: from the preset
        "ABSOLUTE_LIFETIME_SECONDS": None,  # default: from the preset; None for no cap
        "MAX_SESSIONS_PER_USER": None,    # default: no cap
    }
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from rix_auth import config
from rix_auth.config import AuthConfig


def raw() -> dict[str, Any]:
    value = getattr(settings, "RIX_AUTH", {})
    return value if isinstance(value, dict) else {}


def preset_name() -> str:
    return str(raw().get("PRESET", "development" if settings.DEBUG else "production"))


def auth_config() -> AuthConfig:
    """An :class:`AuthConfig` built from the preset and any overrides in ``RIX_AUTH``."""
    values = raw()
    built = config.preset(preset_name())
    if "SESSION_TTL_SECONDS" in values:
        built.set_session_ttl_seconds(values["SESSION_TTL_SECONDS"])
    if "ABSOLUTE_LIFETIME_SECONDS" in values:
        built.set_absolute_lifetime_seconds(values["ABSOLUTE_LIFETIME_SECONDS"])
    if "MAX_SESSIONS_PER_USER" in values:
        built.set_max_sessions_per_user(values["MAX_SESSIONS_PER_USER"])
    return built
