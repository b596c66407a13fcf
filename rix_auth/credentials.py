"""The credential fingerprint: how a session notices that its user's password changed.

A session stores the fingerprint of the password hash its user had when it
was opened; each request compares it with the user's current one, as
Django's ``get_session_auth_hash()`` does. Any change of the hash (a new
password, an unusable one, a ``QuerySet.update``) therefore ends every older
session, with or without a signal. The fingerprint is one-way and short: a
copy of the sessions table reveals nothing about the hash.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

CREDENTIAL_LENGTH = 32  # hex characters; the database column is sized for it
_DOMAIN = b"rix_auth.credential\x00"


@lru_cache(maxsize=4096)  # the request path meets the same few hashes again and again
def fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256(_DOMAIN + (password_hash or "").encode()).hexdigest()[:CREDENTIAL_LENGTH]
