"""One canonical form per email, the same on every store.

Databases fold case differently (SQLite's ``LIKE`` only folds ASCII,
PostgreSQL folds Unicode), so matching is never left to them: the address is
NFKC-normalised and case-folded here, once, and stores compare that form
exactly. Look-alikes such as full-width letters fold onto the plain address,
so they can never reach a different account.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_EMAIL_LENGTH = 254


def canonical_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def valid_email(email: str) -> bool:
    """Whether a canonical address is deliverable-looking (Django's own rules)."""
    if not email or len(email) > MAX_EMAIL_LENGTH:
        return False
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True
