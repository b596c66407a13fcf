"""Session ids: how they are made, recognised and stored.

A session id is a bearer secret: ``session_`` followed by 256 bits from
:mod:`secrets`, URL-safe. Stores keep only its SHA-256 digest, so a copy of
the sessions table cannot be turned back into a working id.
"""

from __future__ import annotations

import hashlib
import re
import secrets

SESSION_ID_PREFIX = "session_"
SESSION_ID_BYTES = 32
MAX_SESSION_ID_LENGTH = 256
DIGEST_LENGTH = 64  # hex SHA-256; the database column is sized for it.
PUBLIC_ID_LENGTH = 16

_SESSION_ID_SHAPE = re.compile(r"session_[A-Za-z0-9_-]{43}")
_PUBLIC_ID_SHAPE = re.compile(r"[0-9a-f]{16}")


def new_session_id() -> str:
    return SESSION_ID_PREFIX + secrets.token_urlsafe(SESSION_ID_BYTES)


def new_public_id() -> str:
    """A non-secret handle naming a session in lists; it can never authenticate."""
    return secrets.token_hex(PUBLIC_ID_LENGTH // 2)


def looks_like_session_id(value: object) -> bool:
    """Whether ``value`` has the exact shape of an id; checked before any lookup."""
    return (
        isinstance(value, str)
        and len(value) <= MAX_SESSION_ID_LENGTH
        and _SESSION_ID_SHAPE.fullmatch(value) is not None
    )


def looks_like_public_id(value: object) -> bool:
    return isinstance(value, str) and _PUBLIC_ID_SHAPE.fullmatch(value) is not None


def digest(session_id: str) -> str:
    """The at-rest form of ``session_id``: its SHA-256, hex."""
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()
