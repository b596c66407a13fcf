"""Each system check ID, triggered by the setting it guards."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

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
