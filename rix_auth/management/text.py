"""What commands print: stored text that cannot drive the terminal, and nothing shaped like a
session id, even when the operator pasted one by mistake."""

from __future__ import annotations

import re

from rix_auth.inputs import CONTROL_CHARACTERS

SESSION_ID_GIVEN = "That looks like a session id, which is secret: "

_ESCAPES = {code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in CONTROL_CHARACTERS}
_SECRET_SHAPE = re.compile(r"session_|[A-Za-z0-9_-]{43}", re.IGNORECASE)  # the prefix, or an id's 43-character body


def shown(value: object) -> str:
    """``str(value)`` with control characters written as ``\\x1b``-style escapes: rows stored
    before user agents were cleaned, or written by other code, may still hold them."""
    return str(value).translate(_ESCAPES)


def looks_secret(value: str) -> bool:
    """Whether ``value`` is, or contains, something shaped like a session id (with or without
    its prefix): such a value is never echoed back."""
    return _SECRET_SHAPE.search(value) is not None
