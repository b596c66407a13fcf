"""Limits on what callers pass in, checked before any store is touched."""

from __future__ import annotations

import ipaddress
from itertools import chain
from typing import TypeAlias

from rix_auth.emails import MAX_EMAIL_LENGTH
from rix_auth.error import gettext_lazy
from rix_auth.session import RevokeReason

Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_PASSWORD_LENGTH = 1024  # argon2 hashes any length; a cap stops hashing megabytes on request
MAX_USER_AGENT_LENGTH = 256  # the database column's size

BAD_PASSWORD = gettext_lazy("A password must be a string of 1 to %(max)d characters.", max=MAX_PASSWORD_LENGTH)
BAD_LOGIN = gettext_lazy("Enter an email address and a password of 1 to %(max)d characters.", max=MAX_PASSWORD_LENGTH)
BAD_SESSION_ID = gettext_lazy("A session id is 'session_' followed by 43 URL-safe characters.")
BAD_HANDLE = gettext_lazy("A session handle is 16 lowercase hexadecimal characters.")
BAD_REASON = gettext_lazy("The revoke reason must be one of: %(reasons)s.", reasons=", ".join(RevokeReason))


MAX_RAW_EMAIL_LENGTH = 4 * MAX_EMAIL_LENGTH  # checked before normalising: NFKC of megabytes costs seconds


def storable(text: str) -> bool:
    """Text every store can hold: no NUL (PostgreSQL refuses it) and valid UTF-8 (no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def acceptable_password(password: object) -> bool:
    return isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD_LENGTH and storable(password)


def acceptable_raw_email(email: object) -> bool:
    """Worth normalising: a string of sane length that a store can hold."""
    return isinstance(email, str) and len(email) <= MAX_RAW_EMAIL_LENGTH and storable(email)


def is_ip(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def network(value: object) -> Network | None:
    """A ``TRUSTED_PROXIES`` entry (an address or a CIDR) as a network, or ``None``.

    Host bits set (``10.0.0.1/8``) make it invalid: that is a typo that would trust far too much.
    """
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value.strip())
    except ValueError:
        return None


def clean_user_agent(user_agent: str) -> str:
    """Without control characters (C0, DEL, C1, bidi controls), so no listing of it can run
    terminal escapes or reorder what is shown; then cut to the column."""
    return user_agent.translate(_REMOVE_CONTROLS)[:MAX_USER_AGENT_LENGTH]


def known_reason(value: object) -> bool:
    return isinstance(value, str) and value in _REASONS


_REASONS = frozenset(RevokeReason)

# Unicode category Cc is exactly C0, DEL and C1; the bidi controls reorder how text is shown.
CONTROL_CHARACTERS = frozenset(
    chain(range(0x20), range(0x7F, 0xA0), (0x061C, 0x200E, 0x200F), range(0x202A, 0x202F), range(0x2066, 0x206A))
)
_REMOVE_CONTROLS: dict[int, None] = dict.fromkeys(CONTROL_CHARACTERS)
