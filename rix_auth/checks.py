"""System checks: bad ``RIX_AUTH`` settings fail at start-up, with what to do."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.core.checks import CheckMessage, Error, Tags, Warning
from django.core.checks import register as register_check
from django.utils.log import AdminEmailHandler, RequireDebugFalse, RequireDebugTrue
from django.utils.module_loading import import_string
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from rix_auth import conf, inputs, reporting
from rix_auth.conf import settings as rix_settings
from rix_auth.middleware import SessionMiddleware

MIDDLEWARE_PATH = "rix_auth.middleware.SessionMiddleware"
POSITIVE_INTEGERS = {
    "SESSION_TTL_SECONDS": False,  # key: may it be None?
    "ABSOLUTE_LIFETIME_SECONDS": True,
    "MAX_SESSIONS_PER_USER": True,
    "REFRESH_INTERVAL_SECONDS": True,
    "PURGE_RETENTION_DAYS": False,
    "CACHE_TTL_SECONDS": False,
}


def register() -> None:
    for check in (check_settings, check_middleware, check_cookie, check_error_reports):
        register_check(check, Tags.security)
    register_check(check_deploy_preset, Tags.security, deploy=True)
    register_check(check_throttle_cache_is_shared, Tags.security, Tags.caches, deploy=True)
    register_check(check_throttle, Tags.security, Tags.caches)
    register_check(check_session_cache, Tags.security, Tags.caches)
    register_check(check_session_cache_is_shared, Tags.security, Tags.caches, deploy=True)


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
    errors += _check_trusted_proxies(value)
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


def _check_trusted_proxies(value: dict[str, Any]) -> list[CheckMessage]:
    proxies = value.get("TRUSTED_PROXIES", [])
    if isinstance(proxies, list | tuple):
        bad = [entry for entry in proxies if inputs.network(entry) is None]
        if not bad:
            return []
        message = f"RIX_AUTH['TRUSTED_PROXIES'] has entries that are not addresses or networks: {bad!r}."
    else:
        message = f"RIX_AUTH['TRUSTED_PROXIES'] must be a list, got {proxies!r}."
    hint = (
        "List your own proxies' addresses or CIDR networks, e.g. ['10.0.0.0/8', '2001:db8::/32'], "
        "with no host bits set; X-Forwarded-For is believed only from them."
    )
    return [Error(message, hint=hint, id="rix_auth.E011")]


def check_cookie(**kwargs: Any) -> list[CheckMessage]:
    if rix_settings.production and not rix_settings.cookie_secure:
        message = "The production preset is on but the session cookie is not Secure."
        hint = "Remove RIX_AUTH['COOKIE_SECURE'] or set it to True, and serve the site over HTTPS."
        return [Error(message, hint=hint, id="rix_auth.E008")]
    if rix_settings.cookie_secure and not rix_settings.cookie_name.startswith("__Host-"):
        hint = "Name it '__Host-…' so that no subdomain can overwrite it."
        return [Warning("The Secure session cookie has no '__Host-' prefix.", hint=hint, id="rix_auth.W001")]
    return []


def check_deploy_preset(**kwargs: Any) -> list[CheckMessage]:
    """``check --deploy``: DEBUG is off, yet RIX_AUTH asks for the development preset."""
    if settings.DEBUG or rix_settings.preset != "development":
        return []
    message = (
        "DEBUG is False but RIX_AUTH['PRESET'] is 'development': sessions last 7 days idle with no "
        "absolute lifetime, and the session cookie is not Secure unless COOKIE_SECURE says so."
    )
    hint = (
        "Use RIX_AUTH['PRESET'] = 'production' (the default when DEBUG is False) and serve the site over HTTPS, "
        "e.g. RIX_AUTH = {'PRESET': 'development' if DEBUG else 'production'}."
    )
    return [Warning(message, hint=hint, id="rix_auth.W003")]


LOCMEM_CACHE = "django.core.cache.backends.locmem.LocMemCache"
DUMMY_CACHE = "django.core.cache.backends.dummy.DummyCache"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


def check_throttle(**kwargs: Any) -> list[CheckMessage]:
    """The login throttle's cache and limits (``rix_auth.E012``)."""
    value = getattr(settings, "RIX_AUTH", {})
    if not isinstance(value, dict):
        return []  # rix_auth.E001
    messages: list[str] = []
    for key in conf.THROTTLE_LIMITS:
        try:
            conf.throttle_limit(value.get(key))
        except (TypeError, ValueError):
            messages.append(f"RIX_AUTH[{key!r}] must be None or (attempts, seconds), two positive integers; "
                            f"got {value[key]!r}.")  # fmt: skip
    alias = value.get("THROTTLE_CACHE", "default")
    caches: dict[str, Any] = getattr(settings, "CACHES", {})
    if alias is not None and (not isinstance(alias, str) or alias not in caches):
        messages.append(f"RIX_AUTH['THROTTLE_CACHE'] is {alias!r}, which is not a cache alias in CACHES.")
    elif alias is not None and caches[alias].get("BACKEND") == DUMMY_CACHE:
        messages.append(f"RIX_AUTH['THROTTLE_CACHE'] is {alias!r}, a DummyCache: no failed login would be counted.")
    hint = (
        "Name a cache every process shares (Redis, Memcached, the database), or None for no throttle; "
        "limits are e.g. (5, 900): at most 5 failed logins in 15 minutes."
    )
    return [Error(message, hint=hint, id="rix_auth.E012") for message in messages]


def check_throttle_cache_is_shared(**kwargs: Any) -> list[CheckMessage]:
    """``rix_auth.W004``: a per-process cache lets each worker count failed logins apart."""
    value = getattr(settings, "RIX_AUTH", {})
    alias = value.get("THROTTLE_CACHE", "default") if isinstance(value, dict) else None
    cache = getattr(settings, "CACHES", {}).get(alias) if isinstance(alias, str) else None
    if not isinstance(cache, dict) or cache.get("BACKEND") != LOCMEM_CACHE:
        return []
    message = (f"RIX_AUTH['THROTTLE_CACHE'] is {alias!r}, a LocMemCache: each worker process counts failed "
               "logins apart, so every limit is multiplied by the number of workers.")  # fmt: skip
    hint = "Name a cache every process shares: Redis, Memcached, the database or files."
    return [Warning(message, hint=hint, id="rix_auth.W004")]


def check_session_cache(**kwargs: Any) -> list[CheckMessage]:
    """``rix_auth.E020``: ``RIX_AUTH['CACHE']`` must name a cache in ``CACHES``."""
    value = getattr(settings, "RIX_AUTH", {})
    alias = value.get("CACHE") if isinstance(value, dict) else None
    if alias is None or (isinstance(alias, str) and alias in getattr(settings, "CACHES", {})):
        return []
    message = f"RIX_AUTH['CACHE'] is {alias!r}, which is not a cache alias in CACHES."
    hint = "Name a Redis cache every process shares (django.core.cache.backends.redis.RedisCache), or None."
    return [Error(message, hint=hint, id="rix_auth.E020")]


def check_session_cache_is_shared(**kwargs: Any) -> list[CheckMessage]:
    """``rix_auth.W020``: a per-process session cache misses other workers' revocations;
    ``rix_auth.W021``: a Redis cache without socket timeouts makes a hung Redis hang every request."""
    value = getattr(settings, "RIX_AUTH", {})
    alias = value.get("CACHE") if isinstance(value, dict) else None
    cache = getattr(settings, "CACHES", {}).get(alias) if isinstance(alias, str) else None
    if not isinstance(cache, dict):
        return []
    if cache.get("BACKEND") in (LOCMEM_CACHE, DUMMY_CACHE):
        message = (f"RIX_AUTH['CACHE'] is {alias!r}, a {cache['BACKEND'].rsplit('.', 1)[-1]}: each worker "
                   "process keeps its own copies, so a session revoked in one worker stays usable in the "
                   "others until RIX_AUTH['CACHE_TTL_SECONDS'] runs out.")  # fmt: skip
        return [Warning(message, hint="Use a Redis cache every process shares.", id="rix_auth.W020")]
    options = cache.get("OPTIONS", {})
    bounded = options.get("socket_timeout") and options.get("socket_connect_timeout")
    if cache.get("BACKEND") == REDIS_CACHE and not bounded:
        message = (f"The session cache {alias!r} sets no socket_timeout and socket_connect_timeout: "
                   "while Redis hangs, every request waits for it.")  # fmt: skip
        hint = "Set both in its OPTIONS, a few milliseconds each, e.g. 0.005: requests then read the database."
        return [Warning(message, hint=hint, id="rix_auth.W021")]
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


def check_error_reports(**kwargs: Any) -> list[CheckMessage]:
    """Settings under which a session id could reach an error report after all (``rix_auth.reporting``)."""
    messages: list[str] = []
    if not _is_subclass(settings.DEFAULT_EXCEPTION_REPORTER_FILTER, SafeExceptionReporterFilter):
        messages.append(
            f"DEFAULT_EXCEPTION_REPORTER_FILTER ({settings.DEFAULT_EXCEPTION_REPORTER_FILTER!r}) is not a "
            "SafeExceptionReporterFilter, whose methods rix_auth extends to hide session ids in error reports."
        )
    if not _is_subclass(settings.DEFAULT_EXCEPTION_REPORTER, ExceptionReporter):
        messages.append(_unfiltered_reporter("DEFAULT_EXCEPTION_REPORTER", settings.DEFAULT_EXCEPTION_REPORTER))
    ours_everywhere = _is_subclass(settings.DEFAULT_EXCEPTION_REPORTER_FILTER, reporting.SessionIdRedaction)
    for handler in _mailing_request_errors():
        if not issubclass(handler.reporter_class, ExceptionReporter):
            messages.append(_unfiltered_reporter(f"{handler}'s reporter_class", handler.reporter_class))
        if handler.include_html and not ours_everywhere and _gated_by_debug_only(handler):
            messages.append(
                f"{handler} (include_html=True) mails django.request errors with every frame's local "
                "variables; rix_auth hides session ids there only in requests its middleware has reached."
            )
    hint = (
        "Set DEFAULT_EXCEPTION_REPORTER_FILTER = 'rix_auth.reporting.SessionIdFilter' (or a subclass of it), "
        "keep Django's reporter classes, or drop include_html."
    )
    return [Warning(message, hint=hint, id="rix_auth.W002") for message in messages]


def _unfiltered_reporter(name: str, reporter: object) -> str:
    return (
        f"{name} ({reporter!r}) is not an ExceptionReporter, so it may never ask "
        "request.exception_reporter_filter, which keeps session ids out of error reports."
    )


def _mailing_request_errors() -> Iterator[AdminEmailHandler]:
    """The admin-mail handlers that django.request's errors reach, as logging is configured now."""
    logger: logging.Logger | None = logging.getLogger("django.request")
    while logger is not None:
        for handler in logger.handlers:
            if isinstance(handler, AdminEmailHandler) and handler.level <= logging.ERROR:
                yield handler
        logger = logger.parent if logger.propagate else None


def _gated_by_debug_only(handler: logging.Handler) -> bool:
    """No filter but Django's DEBUG switches, which let every production error through."""
    return all(isinstance(f, RequireDebugFalse | RequireDebugTrue) for f in handler.filters)
