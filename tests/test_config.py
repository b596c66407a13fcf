import pytest
from django.test import override_settings

import rix_auth
from rix_auth import conf


def test_presets_differ_where_production_must_be_stricter() -> None:
    development, production = rix_auth.config.development(), rix_auth.config.production()
    assert development.absolute_lifetime_seconds is None
    assert production.session_ttl_seconds < development.session_ttl_seconds
    assert production.absolute_lifetime_seconds == 30 * 24 * 60 * 60


def test_setters_chain_and_are_readable_back() -> None:
    config = rix_auth.config.development().set_session_ttl_seconds(60).set_absolute_lifetime_seconds(600)
    assert (config.session_ttl_seconds, config.absolute_lifetime_seconds) == (60, 600)
    assert config.set_absolute_lifetime_seconds(None).absolute_lifetime_seconds is None


@pytest.mark.parametrize("bad", [0, -1, 1.5, "60", True, None])
def test_a_ttl_that_is_not_a_positive_integer_is_refused_with_a_clear_message(bad: object) -> None:
    with pytest.raises(ValueError, match="session TTL in seconds must be a positive whole number"):
        rix_auth.config.development().set_session_ttl_seconds(bad)  # type: ignore[arg-type]


def test_an_unknown_preset_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="use 'development' or 'production'"):
        rix_auth.config.preset("staging")


@override_settings(RIX_AUTH={"SESSION_TTL_SECONDS": 120, "MAX_SESSIONS_PER_USER": 3}, DEBUG=False)
def test_settings_override_the_preset_which_follows_debug_by_default() -> None:
    config = conf.settings.auth_config
    assert (config.preset, config.session_ttl_seconds, config.max_sessions_per_user) == ("production", 120, 3)
    assert config.absolute_lifetime_seconds == rix_auth.config.production().absolute_lifetime_seconds


@override_settings(RIX_AUTH={"PRESET": "development"})
def test_settings_are_read_when_used_not_at_import() -> None:
    assert conf.settings.auth_config.preset == "development"
    with override_settings(RIX_AUTH={"PRESET": "production"}):
        assert conf.settings.auth_config.preset == "production"
