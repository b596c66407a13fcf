"""Each system check ID, triggered by the setting it guards."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.utils.log import AdminEmailHandler, RequireDebugFalse
from django.views.debug import SafeExceptionReporterFilter

from rix_auth import checks
from rix_auth.middleware import SessionMiddleware

OURS = "rix_auth.middleware.SessionMiddleware"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"


def ids(messages: list) -> list[str]:  # type: ignore[type-arg]
    return [m.id for m in messages]


def test_the_test_settings_pass_every_check() -> None:
    assert checks.check_settings() + checks.check_middleware() + checks.check_cookie() == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("production", ["rix_auth.E001"]),
        ({"SESSION_TTL": 60}, ["rix_auth.E002"]),
        ({"PRESET": "staging"}, ["rix_auth.E003"]),
        ({"SESSION_TTL_SECONDS": 0}, ["rix_auth.E004"]),
        ({"SESSION_TTL_SECONDS": -5}, ["rix_auth.E004"]),
        ({"SESSION_TTL_SECONDS": None}, ["rix_auth.E004"]),
        ({"ABSOLUTE_LIFETIME_SECONDS": "30d"}, ["rix_auth.E004"]),
        ({"ABSOLUTE_LIFETIME_SECONDS": None, "REFRESH_INTERVAL_SECONDS": None}, []),
        ({"COOKIE_SAMESITE": "lax-ish"}, ["rix_auth.E005"]),
    ],
)
def test_bad_settings_are_reported_with_their_id(value: object, expected: list[str]) -> None:
    with override_settings(RIX_AUTH=value):
        assert ids(checks.check_settings()) == expected


def test_use_tz_false_is_refused() -> None:
    with override_settings(USE_TZ=False):
        assert ids(checks.check_settings()) == ["rix_auth.E009"]


def test_a_missing_middleware_is_an_error_naming_the_path() -> None:
    with override_settings(MIDDLEWARE=[AUTH]):
        (error,) = checks.check_middleware()
    assert error.id == "rix_auth.E006" and OURS in (error.hint or "")


def test_the_middleware_before_django_auth_is_an_error() -> None:
    with override_settings(MIDDLEWARE=[OURS, AUTH]):
        assert ids(checks.check_middleware()) == ["rix_auth.E007"]


def test_a_subclass_of_the_middleware_counts() -> None:
    with override_settings(MIDDLEWARE=[AUTH, "tests.test_checks.CustomMiddleware"]):
        assert checks.check_middleware() == []


def test_production_with_a_non_secure_cookie_is_an_error() -> None:
    with override_settings(RIX_AUTH={"PRESET": "production", "COOKIE_SECURE": False}):
        assert ids(checks.check_cookie()) == ["rix_auth.E008"]
    with override_settings(RIX_AUTH={"PRESET": "production"}):
        assert checks.check_cookie() == []


def test_a_secure_cookie_without_the_host_prefix_is_a_warning() -> None:
    with override_settings(RIX_AUTH={"PRESET": "production", "COOKIE_NAME": "sid"}):
        assert ids(checks.check_cookie()) == ["rix_auth.W001"]


def test_errors_stop_manage_py_at_start_up() -> None:
    with override_settings(RIX_AUTH={"SESSION_TTL_SECONDS": 0}), pytest.raises(SystemCheckError, match="E004"):
        call_command("check")


class CustomMiddleware(SessionMiddleware):
    """A project's own subclass, as MIDDLEWARE may name it."""


def test_an_unimportable_middleware_entry_does_not_break_the_check() -> None:
    with override_settings(MIDDLEWARE=["no.such.Middleware", AUTH, OURS]):
        assert checks.check_middleware() == []


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("SESSION_STORE", "tests.no_such_module.sessions"),
        ("USER_STORE", "rix_auth.stores.no_such_factory"),
        ("SESSION_STORE", "no_dots_at_all"),
        ("USER_STORE", "tests.factories.NOT_A_FACTORY"),
        ("SESSION_STORE", 42),
        ("USER_STORE", None),
    ],
    ids=["missing module", "missing attribute", "not dotted", "not callable", "an int", "None"],
)
def test_a_store_setting_that_names_no_importable_factory_is_e010(key: str, path: object) -> None:
    with override_settings(RIX_AUTH={key: path}):
        (error,) = checks.check_settings()
    assert error.id == "rix_auth.E010"
    assert f"RIX_AUTH[{key!r}]" in error.msg and "rix_auth.stores.database_" in (error.hint or "")


def test_store_settings_naming_factories_pass() -> None:
    memory = {"SESSION_STORE": "rix_auth.stores.memory_sessions", "USER_STORE": "tests.factories.memory_users"}
    with override_settings(RIX_AUTH=memory):
        assert checks.check_settings() == []


@pytest.mark.parametrize(
    "proxies",
    ["10.0.0.0/8", ["10.0.0.0/33"], ["10.0.0.1/8"], ["proxy.internal"], [None], ["10.0.0.0/8", "2001:db8::zz"]],
    ids=["a string, not a list", "prefix too long", "host bits set", "a host name", "None", "one bad v6 entry"],
)
def test_trusted_proxies_that_are_not_a_list_of_addresses_or_networks_are_e011(proxies: object) -> None:
    with override_settings(RIX_AUTH={"TRUSTED_PROXIES": proxies}):
        (error,) = checks.check_settings()
    assert error.id == "rix_auth.E011" and "TRUSTED_PROXIES" in error.msg
    assert "CIDR" in (error.hint or "") and "no host bits" in (error.hint or "")


def test_trusted_proxies_of_addresses_and_networks_pass() -> None:
    proxies = ["10.0.0.0/8", "192.0.2.1", " 172.16.0.0/12 ", "2001:db8::/32", "::1"]
    with override_settings(RIX_AUTH={"TRUSTED_PROXIES": proxies}):
        assert checks.check_settings() == []
    with override_settings(RIX_AUTH={"TRUSTED_PROXIES": []}):
        assert checks.check_settings() == []


class DuckFilter:
    """A reporter filter outside Django's family."""


class DuckReporter:
    """A reporter that never asks the request for its filter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass


class ProjectFilter(SafeExceptionReporterFilter):
    """A project's own filter, in Django's family."""


class ProjectScrubber(logging.Filter):
    """A project's own logging filter on the mail handler."""


@pytest.fixture
def mail_handler() -> Iterator[Callable[..., AdminEmailHandler]]:
    """Attach an admin-mail handler to a logger for one test, as a LOGGING setting would."""
    attached: list[tuple[logging.Logger, AdminEmailHandler]] = []

    def attach(logger: str = "django.request", *filters: logging.Filter, **options: Any) -> AdminEmailHandler:
        handler = AdminEmailHandler(**options)
        for log_filter in filters:
            handler.addFilter(log_filter)
        attached.append((logging.getLogger(logger), handler))
        attached[-1][0].addHandler(handler)
        return handler

    yield attach
    for logger, handler in attached:
        logger.removeHandler(handler)


def test_the_test_settings_and_djangos_default_logging_raise_no_error_report_warning() -> None:
    assert checks.check_error_reports() == []


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("DEFAULT_EXCEPTION_REPORTER_FILTER", "tests.test_checks.DuckFilter"),
        ("DEFAULT_EXCEPTION_REPORTER_FILTER", "tests.no_such_module.Filter"),
        ("DEFAULT_EXCEPTION_REPORTER", "tests.test_checks.DuckReporter"),
    ],
)
def test_a_reporter_setting_outside_djangos_family_is_w002(setting: str, value: str) -> None:
    with override_settings(**{setting: value}):
        (warning,) = checks.check_error_reports()
    assert warning.id == "rix_auth.W002" and setting in warning.msg and value in warning.msg
    assert "rix_auth.reporting.SessionIdFilter" in (warning.hint or "")


@pytest.mark.parametrize("value", ["rix_auth.reporting.SessionIdFilter", "tests.test_checks.ProjectFilter"])
def test_a_reporter_filter_in_djangos_family_passes(value: str) -> None:
    with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER=value):
        assert checks.check_error_reports() == []


@pytest.mark.parametrize(
    ("logger", "filters", "options", "warned"),
    [
        ("django.request", [], {"include_html": True}, True),
        ("django", [RequireDebugFalse()], {"include_html": True}, True),  # by propagation; a DEBUG switch only
        ("django.request", [ProjectScrubber()], {"include_html": True}, False),
        ("django.request", [], {}, False),  # text mails list no frame variables
        ("django.security", [], {"include_html": True}, False),  # not on django.request's way up
        ("django.request", [], {"reporter_class": "tests.test_checks.DuckReporter"}, True),
    ],
    ids=["html", "html on a parent", "html with a filter", "text only", "another logger", "a foreign reporter"],
)
def test_an_admin_mail_handler_that_could_print_an_id_is_w002(
    mail_handler: Callable[..., AdminEmailHandler],
    logger: str,
    filters: list[logging.Filter],
    options: dict[str, Any],
    warned: bool,
) -> None:
    mail_handler(logger, *filters, **options)
    assert ids(checks.check_error_reports()) == (["rix_auth.W002"] if warned else [])


def test_an_html_mail_handler_out_of_reach_or_covered_by_our_filter_passes(
    mail_handler: Callable[..., AdminEmailHandler],
) -> None:
    mail_handler("django.request", include_html=True).setLevel(logging.CRITICAL)  # never gets errors
    assert checks.check_error_reports() == []
    mail_handler("django.request", include_html=True)
    with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER="rix_auth.reporting.SessionIdFilter"):
        assert checks.check_error_reports() == []
    request_logger = logging.getLogger("django.request")
    request_logger.removeHandler(request_logger.handlers[-1])
    mail_handler("django", include_html=True)
    request_logger.propagate = False
    try:
        assert checks.check_error_reports() == []
    finally:
        request_logger.propagate = True


def test_manage_py_check_shows_w002() -> None:
    out = StringIO()
    with override_settings(DEFAULT_EXCEPTION_REPORTER_FILTER="tests.test_checks.DuckFilter"):
        call_command("check", stdout=out, stderr=out)
    assert "rix_auth.W002" in out.getvalue()


@pytest.mark.parametrize(
    ("debug", "value", "expected"),
    [
        (False, {"PRESET": "development"}, ["rix_auth.W003"]),
        (False, {"PRESET": "development", "COOKIE_SECURE": True}, ["rix_auth.W003"]),  # still 7 days, no cap
        (True, {"PRESET": "development"}, []),
        (False, {"PRESET": "production"}, []),
        (False, {}, []),  # DEBUG off picks production
        (True, {}, []),
        (False, "not a dict", []),  # rix_auth.E001's business
    ],
    ids=["explicit", "explicit with Secure", "debug", "production", "default", "default in debug", "not a dict"],
)
def test_the_development_preset_with_debug_off_is_w003(debug: bool, value: object, expected: list[str]) -> None:
    with override_settings(DEBUG=debug, RIX_AUTH=value):
        messages = checks.check_deploy_preset()
    assert ids(messages) == expected
    for warning in messages:
        assert "DEBUG is False" in warning.msg and "'development'" in warning.msg
        assert "RIX_AUTH['PRESET'] = 'production'" in (warning.hint or "")


def test_w003_is_a_deploy_check_that_manage_py_check_deploy_shows() -> None:
    with override_settings(DEBUG=False, RIX_AUTH={"PRESET": "development"}):
        plain, deploy = StringIO(), StringIO()
        call_command("check", stdout=plain, stderr=plain)
        call_command("check", "--deploy", stdout=deploy, stderr=deploy)
    assert "rix_auth.W003" not in plain.getvalue()
    assert "rix_auth.W003" in deploy.getvalue()
    with override_settings(DEBUG=False, RIX_AUTH={"PRESET": "production"}):
        deploy = StringIO()
        call_command("check", "--deploy", stdout=deploy, stderr=deploy)
    assert "rix_auth.W003" not in deploy.getvalue()


@pytest.mark.parametrize(
    ("backend", "warned"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", True),
        ("django.core.cache.backends.filebased.FileBasedCache", False),
        ("django.core.cache.backends.redis.RedisCache", False),
        ("django.core.cache.backends.db.DatabaseCache", False),
    ],
)
def test_a_throttle_cache_each_worker_keeps_for_itself_is_w004(backend: str, warned: bool) -> None:
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": "rix-w004"}}):
        found = checks.check_throttle_cache_is_shared()
    assert [m.id for m in found] == (["rix_auth.W004"] if warned else [])
    if warned:
        assert "multiplied by the number of workers" in found[0].msg


def test_no_throttle_cache_means_no_w004() -> None:
    with override_settings(RIX_AUTH={"THROTTLE_CACHE": None}):
        assert checks.check_throttle_cache_is_shared() == []
