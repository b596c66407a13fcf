"""Find the user a command names: by primary key, email or username."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db.models import Q

from rix_auth.emails import canonical_email
from rix_auth.management.text import SESSION_ID_GIVEN, looks_secret


def find_user(identifier: str, database: str | None = None) -> Any:
    """The one user ``identifier`` names in ``database`` (default: where the routers read users)."""
    model = get_user_model()
    wanted = Q(**{model.USERNAME_FIELD: identifier}) | Q(**{model.USERNAME_FIELD: canonical_email(identifier)})
    wanted |= Q(**{f"{model.get_email_field_name()}__iexact": identifier.strip()})
    if identifier.isdigit():
        wanted |= Q(pk=identifier)
    try:
        found = list(model._default_manager.db_manager(database).filter(wanted)[:2])
    except (ValueError, ValidationError):
        found = []
    if len(found) != 1 and looks_secret(identifier):  # never echo what may be a live session id
        raise CommandError(SESSION_ID_GIVEN + "pass the user's id, email or username.")
    if not found:
        raise CommandError(f"No user matches {identifier!r} (looked up by id, email and username).")
    if len(found) > 1:
        raise CommandError(f"{identifier!r} matches several users; pass the user's id instead.")
    return found[0]
