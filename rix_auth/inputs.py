"""Limits on what callers pass in, checked before any store is touched."""

from __future__ import annotations

import ipaddress

from rix_auth.session import RevokeReason

MAX_PASSWORD_LENGTH = 1024  # argon2 hashes any length; a cap stops hashing megabytes on request
MAX_USER_AGENT_LENGTH = 256  # the database column's size

BAD_PASSWORD = f"A password must be a string of 1 to {MAX_PASSWORD_LENGTH} characters."
BAD_LOGIN = f"Enter an email address and a password of 1 to {MAX_PASSWORD_LENGTH} characters."
BAD_SESSION_ID = "A session id is 'session_' followed by 43 URL-safe characters."
BAD_HANDLE = "A session handle is 16 lowercase hexadecimal characters."
BAD_REASON = f"The revoke reason must be one of: {', '.join(RevokeReason)}."


def acceptable_password(password: object) -> bool:
    return isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD_LENGTH


def is_ip(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def known_reason(value: object) -> bool:
    return isinstance(value, str) and value in _REASONS


_REASONS = frozenset(RevokeReason)
