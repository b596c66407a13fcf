"""System checks: bad ``RIX_AUTH`` settings fail at start-up, with what to do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.checks import CheckMessage, Error, Tags, Warning
from django.core.checks import register as register_check
from django.utils.module_loading import import_string

from rix_auth import conf
from rix_auth.conf import settings as rix_settings
from rix_auth.middleware import SessionMiddleware

MIDDLEWARE_PATH = "rix_auth.middleware.SessionMiddleware"
POSITIVE_INTEGERS = {
    "SESSION_TTL_SECONDS": False,  # key: may it be None?
    "ABSOLUTE_LIFETIME_SECONDS": True,
    "MAX_SESSIONS_PER_USER": True,
    "REFRESH_INTERVAL_SECONDS": True,
    "PURGE_RETENTION_DAYS": False,
}


def register() -> None:
    for check in (check_settings, check_middleware, check_cookie):
        register_check(check, Tags.security)


def check_settings(**kwargs: Any) -> list[CheckMessage]:
    value = getattr(settings, "RIX_AUTH", {})
    if not isinstance(value, dict):
        return [Error("RIX_AUTH must be a dict.", hint="See rix_auth.conf for its keys.", id="rix_auth.E001")]
    errors: list[CheckMessage] = []
    if unknown := sorted(set(value) - conf.KEYS):
        hint = f"Valid keys: {', '.join(sorted(conf.KEYS))}."
        errors.append(Error(f"Unknown RIX_AUTH keys: {', '.join(unknown)}.", hint=hint, id="rix_auth.E002"))
    if value.get("PRESET", "production") not in ("development", "production"):
        message = f"RIX_AUTH['PRESET'] is {value['PRESET']!r}."
        errors.append(Error(message, hint="Use 'development' or 'production'.", id="rix_auth.E003"))
    for key, nullable in POSITIVE_INTEGERS.items():
        if key in value and not _positive_integer(value[key], nullable=nullable):
            message = f"RIX_AUTH[{key!r}] must be a positive integer, got {value[key]!r}."
            off = "None switches it off." if nullable else None
            errors.append(Error(message, hint=off, id="rix_auth.E004"))
    if value.get("COOKIE_SAMESITE", "Lax") not in ("Lax", "Strict", "None"):
        message = f"RIX_AUTH['COOKIE_SAMESITE'] is {value['COOKIE_SAMESITE']!r}."
        errors.append(Error(message, hint="Use 'Lax', 'Strict' or 'None'.", id="rix_auth.E005"))
    errors += _check_store_factories(value)
    if not settings.USE_TZ:
        message = "rix_auth needs USE_TZ = True: session times are timezone-aware UTC."
        errors.append(Error(message, hint="Set USE_TZ = True (Django's default).", id="rix_auth.E009"))
    return errors


def check_middleware(**kwargs: Any) -> list[CheckMessage]:
    ours, auth = _positions(SessionMiddleware), _positions(AuthenticationMiddleware)
    if not ours:
        message = f"'{MIDDLEWARE_PATH}' is not in MIDDLEWARE, so no request is ever authenticated."
        return [Error(message, hint=f"Add '{MIDDLEWARE_PATH}' to MIDDLEWARE.", id="rix_auth.E006")]
    if auth and ours[0] < auth[0]:
        message = f"'{MIDDLEWARE_PATH}' comes before AuthenticationMiddleware, which would then replace request.user."
        hint = "Move it after 'django.contrib.auth.middleware.AuthenticationMiddleware'."
        return [Error(message, hint=hint, id="rix_auth.E007")]
    return []


def _check_store_factories(value: dict[str, Any]) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for key, default in (("SESSION_STORE", conf.DEFAULT_SESSION_STORE), ("USER_STORE", conf.DEFAULT_USER_STORE)):
        path = value.get(key, default)
        try:
            factory = import_string(path) if isinstance(path, str) else None
        except ImportError as error:
            factory, path = None, f"{path!r} ({error})"
        if not callable(factory):
            message = f"RIX_AUTH[{key!r}] must be the dotted path of a store factory; got {path}."
            errors.append(Error(message, hint=f"The default is {default!r}.", id="rix_auth.E010"))
    return errors


def check_cookie(**kwargs: Any) -> list[CheckMessage]:
    if rix_settings.production and not rix_settings.cookie_secure:
        message = "The production preset is on but the session cookie is not Secure."
        hint = "Remove RIX_AUTH['COOKIE_SECURE'] or set it to True, and serve the site over HTTPS."
        return [Error(message, hint=hint, id="rix_auth.E008")]
    if rix_settings.cookie_secure and not rix_settings.cookie_name.startswith("__Host-"):
        hint = "Name it '__Host-…' so that no subdomain can overwrite it."
        return [Warning("The Secure session cookie has no '__Host-' prefix.", hint=hint, id="rix_auth.W001")]
    return []


def _positions(base: type) -> list[int]:
    """Where ``base`` or a subclass of it sits in MIDDLEWARE."""
    return [i for i, path in enumerate(settings.MIDDLEWARE) if _is_subclass(path, base)]


def _is_subclass(path: str, base: type) -> bool:
    try:
        found = import_string(path)
    except ImportError:
        return False
    return isinstance(found, type) and issubclass(found, base)


def _positive_integer(value: object, *, nullable: bool) -> bool:
    if value is None:
        return nullable
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
