"""Revoke every session of a user whose password changes or who is deactivated.

Connected in ``AppConfig.ready`` to the user model. A password change is seen
through ``set_password`` followed by ``save`` (the admin's forms included);
Django's own re-hash on login clears that mark first and revokes nothing.
Changes made with ``QuerySet.update`` send no signal: call
``rix_auth.database().logout_user(pk)`` after them.
"""

from __future__ import annotations

import logging
from typing import Any

import rix_auth

logger = logging.getLogger("rix_auth")

WAS_ACTIVE = "_rix_auth_was_active"


def remember_active(sender: type, instance: Any, **kwargs: Any) -> None:
    instance.__dict__[WAS_ACTIVE] = getattr(instance, "is_active", True)


def revoke_on_password_change_or_deactivation(
    sender: type, instance: Any, created: bool, using: str, **kwargs: Any
) -> None:
    was_active = instance.__dict__.get(WAS_ACTIVE, True)
    remember_active(sender, instance)
    if created:
        return
    if getattr(instance, "_password", None) is not None:
        _revoke_all(instance.pk, using, "password_change")
    elif was_active and not getattr(instance, "is_active", True):
        _revoke_all(instance.pk, using, "deactivation")


def _revoke_all(user_id: Any, using: str, reason: str) -> None:
    result = rix_auth.database(using).logout_user(user_id, reason=reason)
    if result.error is not None:  # loud: the user believes their other devices are signed out
        logger.error("rix_auth: could not revoke the sessions of user %s after %s: %s", user_id, reason, result.error)
