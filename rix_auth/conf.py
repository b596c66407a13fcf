"""The ``RIX_AUTH`` settings dict, read each time it is used and never written back.

Every key is optional; defaults follow the preset, which itself defaults to
``"development"`` when ``DEBUG`` is on and ``"production"`` otherwise::

    RIX_AUTH = {
        "PRESET": "production",
        "SESSION_TTL_SECONDS": 86400,          # idle timeout; preset: 7 days / 24 hours
        "ABSOLUTE_LIFETIME_SECONDS": None,     # cap on a session's age; preset: none / 30 days
        "MAX_SESSIONS_PER_USER": None,         # beyond it, a login revokes the oldest
        "REFRESH_INTERVAL_SECONDS": 300,       # sliding refresh by the middleware; None turns it off
        "COOKIE_NAME": "rix_session",          # production: "__Host-rix_session"
        "COOKIE_SECURE": False,                # production: True
        "COOKIE_SAMESITE": "Lax",
        "HEADER_SCHEME": "Bearer",             # Authorization: Bearer <session id>
        "RECORD_IP": True,
        "RECORD_USER_AGENT": True,
        "PURGE_RETENTION_DAYS": 30,            # purge_sessions keeps dead rows this long
    }
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from django.conf import settings

from rix_auth import config
from rix_auth.config import AuthConfig

SameSite = Literal["Lax", "Strict", "None"]

KEYS = frozenset(
    {
        "PRESET", "SESSION_TTL_SECONDS", "ABSOLUTE_LIFETIME_SECONDS", "MAX_SESSIONS_PER_USER",
        "REFRESH_INTERVAL_SECONDS", "COOKIE_NAME", "COOKIE_SECURE", "COOKIE_SAMESITE", "HEADER_SCHEME",
        "RECORD_IP", "RECORD_USER_AGENT", "PURGE_RETENTION_DAYS",
    }
)  # fmt: skip


def raw() -> dict[str, Any]:
    value = getattr(settings, "RIX_AUTH", {})
    return value if isinstance(value, dict) else {}


def preset_name() -> str:
    return str(raw().get("PRESET", "development" if settings.DEBUG else "production"))


def production() -> bool:
    return preset_name() == "production"


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


def refresh_interval_seconds() -> int | None:
    value = raw().get("REFRESH_INTERVAL_SECONDS", 300)
    return None if value is None else int(value)


def cookie_secure() -> bool:
    return bool(raw().get("COOKIE_SECURE", production()))


def cookie_name() -> str:
    default = "__Host-rix_session" if cookie_secure() else "rix_session"
    return str(raw().get("COOKIE_NAME", default))


def cookie_samesite() -> SameSite:
    value = raw().get("COOKIE_SAMESITE", "Lax")
    return value if value in ("Lax", "Strict", "None") else "Lax"


def header_scheme() -> str:
    return str(raw().get("HEADER_SCHEME", "Bearer"))


def record_ip() -> bool:
    return bool(raw().get("RECORD_IP", True))


def record_user_agent() -> bool:
    return bool(raw().get("RECORD_USER_AGENT", True))


def purge_retention_days() -> int:
    return int(raw().get("PURGE_RETENTION_DAYS", 30))


@dataclass(frozen=True, slots=True)
class Transport:
    """The settings every request reads, gathered once (see :func:`transport`)."""

    header_scheme: str
    cookie_name: str
    cookie_secure: bool
    cookie_samesite: SameSite
    refresh_interval_seconds: int | None


@lru_cache(maxsize=1)
def transport() -> Transport:
    """A snapshot for the request path; :func:`forget_settings` drops it when settings change."""
    return Transport(
        header_scheme=header_scheme().lower(),
        cookie_name=cookie_name(),
        cookie_secure=cookie_secure(),
        cookie_samesite=cookie_samesite(),
        refresh_interval_seconds=refresh_interval_seconds(),
    )


def forget_settings(*, setting: str, **kwargs: object) -> None:
    """A ``setting_changed`` receiver (tests override settings at run time)."""
    if setting in ("RIX_AUTH", "DEBUG"):
        transport.cache_clear()
