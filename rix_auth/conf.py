"""The ``RIX_AUTH`` settings, and the one configured :class:`~rix_auth.service.Auth`.

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
        "TRUSTED_PROXIES": [],                 # e.g. ["10.0.0.0/8"]: believe X-Forwarded-For from these
        "PURGE_RETENTION_DAYS": 30,            # purge_sessions keeps dead rows this long
        "READ_FROM_REPLICA": False,            # True: the request path reads db_for_read (replica lag!)
        "SESSION_STORE": "rix_auth.stores.database_sessions",  # dotted path to a factory
        "USER_STORE": "rix_auth.stores.database_users",
        "THROTTLE_CACHE": "default",           # the Django cache counting failed logins; None: no throttle
        "CACHE": None,                         # a cache alias (Redis) the request path reads sessions from
        "CACHE_TTL_SECONDS": 60,               # age limit of a cached session: bounds unsignalled user changes
        "THROTTLE_LOGIN_PER_EMAIL_IP": (5, 900),    # (failures, window seconds); None switches a rule off
        "THROTTLE_LOGIN_PER_EMAIL": (100, 3600),
        "THROTTLE_LOGIN_PER_IP": (30, 60),
        "THROTTLE_REGISTER_PER_IP": (10, 3600),     # registrations
    }

Values are read on first use and kept; Django's ``setting_changed`` signal
(sent by ``override_settings``) drops them. Nothing is ever written back.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

from django.conf import settings as django_settings
from django.utils.module_loading import import_string

from rix_auth import clock, config, inputs
from rix_auth.config import AuthConfig
from rix_auth.service import Auth
from rix_auth.stores.base import SessionStore, UserStore
from rix_auth.throttle import Limit, Limits, LoginThrottle, NoThrottle
from rix_auth.throttle_cache import CacheThrottle

SameSite = Literal["Lax", "Strict", "None"]

THROTTLE_LIMITS = {  # RIX_AUTH key: the field of throttle.Limits it sets
    "THROTTLE_LOGIN_PER_EMAIL_IP": "login_per_email_ip",
    "THROTTLE_LOGIN_PER_EMAIL": "login_per_email",
    "THROTTLE_LOGIN_PER_IP": "login_per_ip",
    "THROTTLE_REGISTER_PER_IP": "register_per_ip",
}
KEYS = frozenset(
    {
        "PRESET", "SESSION_TTL_SECONDS", "ABSOLUTE_LIFETIME_SECONDS", "MAX_SESSIONS_PER_USER",
        "REFRESH_INTERVAL_SECONDS", "COOKIE_NAME", "COOKIE_SECURE", "COOKIE_SAMESITE", "HEADER_SCHEME",
        "RECORD_IP", "RECORD_USER_AGENT", "TRUSTED_PROXIES", "PURGE_RETENTION_DAYS", "READ_FROM_REPLICA",
        "SESSION_STORE", "USER_STORE", "THROTTLE_CACHE", "CACHE", "CACHE_TTL_SECONDS", *THROTTLE_LIMITS,
    }
)  # fmt: skip
DEFAULT_SESSION_STORE = "rix_auth.stores.database_sessions"
DEFAULT_USER_STORE = "rix_auth.stores.database_users"
WATCHED = frozenset({"RIX_AUTH", "DEBUG", "AUTH_USER_MODEL", "DATABASES", "PASSWORD_HASHERS"})


class Settings:
    """Typed access to ``RIX_AUTH``; ``auth`` is the Auth every Django part uses."""

    @cached_property
    def raw(self) -> dict[str, Any]:
        value = getattr(django_settings, "RIX_AUTH", {})
        return value if isinstance(value, dict) else {}

    @cached_property
    def preset(self) -> str:
        return str(self.raw.get("PRESET", "development" if django_settings.DEBUG else "production"))

    @cached_property
    def production(self) -> bool:
        return self.preset == "production"

    @cached_property
    def auth_config(self) -> AuthConfig:
        """The preset, with any overrides from ``RIX_AUTH``."""
        values, built = self.raw, config.preset(self.preset)
        if "SESSION_TTL_SECONDS" in values:
            built.set_session_ttl_seconds(values["SESSION_TTL_SECONDS"])
        if "ABSOLUTE_LIFETIME_SECONDS" in values:
            built.set_absolute_lifetime_seconds(values["ABSOLUTE_LIFETIME_SECONDS"])
        if "MAX_SESSIONS_PER_USER" in values:
            built.set_max_sessions_per_user(values["MAX_SESSIONS_PER_USER"])
        return built

    @cached_property
    def refresh_interval_seconds(self) -> int | None:
        value = self.raw.get("REFRESH_INTERVAL_SECONDS", 300)
        return None if value is None else int(value)

    @cached_property
    def cookie_secure(self) -> bool:
        return bool(self.raw.get("COOKIE_SECURE", self.production))

    @cached_property
    def cookie_name(self) -> str:
        return str(self.raw.get("COOKIE_NAME", "__Host-rix_session" if self.cookie_secure else "rix_session"))

    @cached_property
    def cookie_samesite(self) -> SameSite:
        value = self.raw.get("COOKIE_SAMESITE", "Lax")
        return value if value in ("Lax", "Strict", "None") else "Lax"

    @cached_property
    def header_scheme(self) -> str:
        return str(self.raw.get("HEADER_SCHEME", "Bearer"))

    @cached_property
    def header_scheme_lower(self) -> str:
        return self.header_scheme.lower()

    @cached_property
    def record_ip(self) -> bool:
        return bool(self.raw.get("RECORD_IP", True))

    @cached_property
    def record_user_agent(self) -> bool:
        return bool(self.raw.get("RECORD_USER_AGENT", True))

    @cached_property
    def trusted_proxies(self) -> tuple[inputs.Network, ...]:
        """Parsed once; entries that are not addresses or CIDRs are left out (``rix_auth.E011``)."""
        value = self.raw.get("TRUSTED_PROXIES", [])
        if not isinstance(value, list | tuple):
            return ()
        return tuple(network for entry in value if (network := inputs.network(entry)) is not None)

    @cached_property
    def purge_retention_days(self) -> int:
        return int(self.raw.get("PURGE_RETENTION_DAYS", 30))

    @cached_property
    def read_from_replica(self) -> bool:
        """Whether the request path reads sessions from ``db_for_read``; see ``DatabaseSessionStore``."""
        return bool(self.raw.get("READ_FROM_REPLICA", False))

    @cached_property
    def auth(self) -> Auth:
        """Built from the store factories once; every request, view, command and receiver shares it."""
        sessions: SessionStore = import_string(self.raw.get("SESSION_STORE", DEFAULT_SESSION_STORE))()
        if self.raw.get("CACHE") is not None:
            from rix_auth.stores.cached import cached  # the cache machinery loads only when asked for

            sessions = cached(sessions, str(self.raw["CACHE"]), ttl_seconds=int(self.raw.get("CACHE_TTL_SECONDS", 60)))
        users: UserStore = import_string(self.raw.get("USER_STORE", DEFAULT_USER_STORE))()
        return Auth(
            users=users, sessions=sessions, config=self.auth_config, clock=clock.current_time, throttle=self.throttle
        )

    @cached_property
    def throttle(self) -> LoginThrottle:
        """Counters in the cache ``THROTTLE_CACHE`` (``None``: no throttle); a malformed limit keeps
        its default (``rix_auth.E012`` reports it)."""
        alias = self.raw.get("THROTTLE_CACHE", "default")
        if alias is None:
            return NoThrottle()
        defaults, chosen = Limits(), {}
        for key, field in THROTTLE_LIMITS.items():
            try:
                chosen[field] = throttle_limit(self.raw.get(key, getattr(defaults, field)))
            except (TypeError, ValueError):
                chosen[field] = getattr(defaults, field)
        return CacheThrottle(str(alias), Limits(**chosen), clock=clock.current_time)

    def reload(self) -> None:
        """Forget every value read so far."""
        self.__dict__.clear()


settings = Settings()


def throttle_limit(value: object) -> Limit | None:
    """A ``THROTTLE_…`` value: ``None``, or ``(attempts, seconds)``; raises ``ValueError`` otherwise."""
    if value is None or isinstance(value, Limit):
        return value
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"expected None or (attempts, seconds), got {value!r}")
    return Limit(*value)


def get_auth() -> Auth:
    """The configured Auth (``RIX_AUTH["SESSION_STORE"]`` and ``["USER_STORE"]``)."""
    return settings.auth


def reload_settings(*, setting: str, **kwargs: object) -> None:
    """A ``setting_changed`` receiver (tests override settings at run time)."""
    if setting in WATCHED:
        settings.reload()
