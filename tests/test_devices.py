"""Device names from real user agents, with ua-parser and without it; the current session listed first."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from rix_auth.devices import agent_of, current_first, device_name
from rix_auth.inputs import clean_user_agent
from rix_auth.session import Session

CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.5 Mobile/15E148 Safari/604.1"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"
EDGE_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/138.0.0.0 Safari/537.36 Edg/138.0.3351.65"
)
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/138.0.7204.63 Mobile Safari/537.36"
)
CHROME_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "CriOS/138.0.7204.119 Mobile/15E148 Safari/604.1"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.5 Safari/605.1.15"
)
OPERA_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/138.0.0.0 Safari/537.36 OPR/120.0.0.0"
)
CHROMEBOOK = (
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36"
)

# Both parsers agree on every agent people meet daily.
EVERYDAY = [
    (CHROME_LINUX, "Chrome 156 on Linux"),
    (SAFARI_IPHONE, "Safari 18 on iPhone"),
    (FIREFOX_WINDOWS, "Firefox 140 on Windows"),
    (EDGE_MAC, "Edge 138 on macOS"),
    (CHROME_ANDROID, "Chrome 138 on Android"),
    (CHROME_IPAD, "Chrome 138 on iPad"),
    (SAFARI_MAC, "Safari 18 on macOS"),
    (OPERA_WINDOWS, "Opera 120 on Windows"),
    (CHROMEBOOK, "Chrome 138 on ChromeOS"),
    ("curl/8.5.0", "curl 8.5"),
    ("Wget/1.21.4", "Wget 1.21"),
    ("MyApp/3", "MyApp 3"),
    ("", "Unknown device"),
    ("garbage \ufffd\U0001f600 not an agent", "Unknown device"),
    ("Mozilla/5.0", "Unknown device"),
    ("Mozilla/5.0 (Windows NT 10.0) Unheard/1.0", "Windows"),
]


@pytest.fixture(autouse=True)
def _uncached() -> Iterator[None]:
    """Names are cached per agent: each test, and each parser, starts afresh."""
    agent_of.cache_clear()
    yield
    agent_of.cache_clear()


def test_a_name_is_worded_in_the_active_language_though_the_parse_is_cached() -> None:
    from django.utils import translation

    assert device_name(CHROMEBOOK) == "Chrome 138 on ChromeOS"
    with translation.override("fr"):
        assert device_name(CHROMEBOOK) == "Chrome 138 sur ChromeOS"
        assert device_name("") == "Appareil inconnu"
    assert device_name(CHROMEBOOK) == "Chrome 138 on ChromeOS"


@pytest.fixture
def without_ua_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ua_parser", None)  # makes `import ua_parser` raise ImportError


@pytest.mark.parametrize(("user_agent", "name"), EVERYDAY)
def test_ua_parser_names_the_device(user_agent: str, name: str) -> None:
    assert device_name(user_agent) == name


@pytest.mark.parametrize(("user_agent", "name"), EVERYDAY)
@pytest.mark.usefixtures("without_ua_parser")
def test_without_ua_parser_the_same_devices_get_the_same_names(user_agent: str, name: str) -> None:
    assert device_name(user_agent) == name


def test_ua_parser_knows_more_than_the_fallback(without_ua_parser: None, monkeypatch: pytest.MonkeyPatch) -> None:
    bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    assert device_name(bot) == "Unknown device"
    monkeypatch.delitem(sys.modules, "ua_parser")
    agent_of.cache_clear()
    assert device_name(bot) == "Googlebot 2.1"


def test_an_agent_is_parsed_once() -> None:
    device_name(CHROME_LINUX)
    device_name(CHROME_LINUX)
    assert (agent_of.cache_info().hits, agent_of.cache_info().misses) == (1, 1)


@pytest.mark.parametrize("user_agent", [CHROME_LINUX, EDGE_MAC, CHROME_ANDROID, OPERA_WINDOWS])
def test_the_stored_cut_keeps_the_browser_token(user_agent: str) -> None:
    assert device_name(clean_user_agent(user_agent + " Extension/1.0" * 20)) == device_name(user_agent)


def _session(public_id: str, minutes_ago: int) -> Session:
    created = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(minutes=minutes_ago)
    return Session(1, public_id, created, created + timedelta(days=1), created, created)


NEWEST_FIRST = [_session("c", 1), _session("b", 2), _session("a", 3)]


@pytest.mark.parametrize(
    ("current", "order"),
    [("b", ["b", "c", "a"]), ("a", ["a", "c", "b"]), ("c", ["c", "b", "a"]), (None, ["c", "b", "a"]),
     ("gone", ["c", "b", "a"])],
)  # fmt: skip
def test_current_first_then_the_store_order(current: str | None, order: list[str]) -> None:
    assert [s.public_id for s in current_first(iter(NEWEST_FIRST), current)] == order
