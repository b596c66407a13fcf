"""Human names for the devices behind sessions ("Chrome 156 on Linux"), and the order a list shows them.

Names come from ``ua-parser`` (the ``rix-auth[devices]`` extra) when it is
installed, else from a small dependency-free guess; either way the parse is
cached per user agent, which is already cleaned and cut by
:func:`rix_auth.inputs.clean_user_agent`, and the name is worded in the active
language when asked for. Naming never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar

from django.utils.translation import gettext


class _Listed(Protocol):
    @property
    def public_id(self) -> str: ...


_S = TypeVar("_S", bound=_Listed)


def current_first(sessions: Iterable[_S], current: str | None) -> list[_S]:
    """The session whose ``public_id`` is ``current`` first, the others in the order given.

    Stores list sessions newest first, so the rest stay most recent first.
    """
    return sorted(sessions, key=lambda session: session.public_id != current)  # sorted() is stable


def device_name(user_agent: str) -> str:
    """``"Chrome 156 on Linux"``, ``"Safari 18 on iPhone"``, ``"curl 8.5"``, or ``"Unknown device"``."""
    agent = agent_of(user_agent)
    if agent.browser and agent.platform:
        return gettext("%(browser)s on %(platform)s") % {"browser": agent.browser, "platform": agent.platform}
    return agent.browser or agent.platform or gettext("Unknown device")


@lru_cache(maxsize=2048)
def agent_of(user_agent: str) -> _Agent:
    """The browser and platform a user agent names (a tool's ``product/version`` when nothing else)."""
    agent = _parse(user_agent)
    return agent if agent.browser or agent.platform else _Agent(browser=_product(user_agent))


@dataclass(frozen=True, slots=True)
class _Agent:
    browser: str = ""  # with its version: "Chrome 156"
    platform: str = ""  # "Linux", "iPhone", "macOS"


def _parse(user_agent: str) -> _Agent:
    try:
        from ua_parser import parse  # optional: the rix-auth[devices] extra
    except ImportError:
        return _guess(user_agent)
    result = parse(user_agent)
    agent, os, device = result.user_agent, result.os, result.device
    platform = _platform(os.family, device.family if device else "") if os else ""
    if agent is None:
        return _Agent(platform=platform)
    # A browser's major version is what people know; a tool without a platform is told by major.minor.
    version = agent.major if platform else ".".join(filter(None, (agent.major, agent.minor)))
    return _Agent(_browser(agent.family, version or ""), platform)


def _browser(family: str, version: str) -> str:
    """Mobile Safari and Chrome Mobile iOS are Safari and Chrome: the platform already says mobile."""
    name = " ".join(word for word in family.split() if word not in {"Mobile", "iOS"}) or family
    return f"{name} {version}" if version else name


_OS_NAMES = {"Mac OS X": "macOS", "Chrome OS": "ChromeOS"}
_APPLE_MOBILES = frozenset({"iPhone", "iPad", "iPod"})


def _platform(os: str, device: str) -> str:
    if os == "iOS" and device in _APPLE_MOBILES:
        return device
    return _OS_NAMES.get(os, os)


# The fallback: tokens in precedence order (Edge and Opera also say Chrome; Chrome also says Safari).
_BROWSERS = [
    ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
    ("Opera", r"OPR/(\d+)"),
    ("Samsung Internet", r"SamsungBrowser/(\d+)"),
    ("Firefox", r"(?:Firefox|FxiOS)/(\d+)"),
    ("Chrome", r"(?:Chrome|CriOS)/(\d+)"),
    ("Safari", r"Version/(\d+)[^ ]* (?:Mobile/\S+ )?Safari/"),
]
_PLATFORMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("ChromeOS", "CrOS"),
    ("macOS", "Macintosh"),
    ("Linux", "Linux"),
]
_PRODUCT = re.compile(r"([A-Za-z][\w.+-]*)/(\d+)(?:\.(\d+))?")


def _guess(user_agent: str) -> _Agent:
    """A best effort without ua-parser: the usual browsers on the usual platforms."""
    platform = next((name for name, token in _PLATFORMS if token in user_agent), "")
    for name, pattern in _BROWSERS:
        if match := re.search(pattern, user_agent):
            return _Agent(f"{name} {match[1]}", platform)
    return _Agent(platform=platform)


def _product(user_agent: str) -> str:
    """The leading ``product/version`` token ("curl/8.5.0" is "curl 8.5"), unless it is the meaningless Mozilla."""
    match = _PRODUCT.match(user_agent)
    if match is None or match[1] == "Mozilla":
        return ""
    return " ".join(filter(None, (match[1], ".".join(filter(None, (match[2], match[3]))))))
