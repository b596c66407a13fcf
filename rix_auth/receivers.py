"""Keep sessions in step with saves of the user model.

Connected in ``AppConfig.ready``. A save that changes the password (the
admin's forms, ``set_password``, ``set_unusable_password``, a plain
assignment) or deactivates the user revokes every session of that user at
once, with the reason and a signal; deleting the user voids the session
cache's copies. Changes that send no signal (``QuerySet.update``,
``bulk_update``) are caught on the next request by the live-state check
instead (behind ``RIX_AUTH["CACHE"]``, within ``CACHE_TTL_SECONDS``). A
re-hash during a rix_auth login is the same password: its sessions follow
the new hash. Django's own logout (the admin's "Log out", ``LogoutView``)
ends the rix_auth session the request carried as well.
"""

from __future__ import annotations

import logging
from typing import Any

from rix_auth.credentials import fingerprint
from rix_auth.session import RevokeReason
from rix_auth.stores.django_users import rehash_listener

logger = logging.getLogger("rix_auth")

LOADED = "_rix_auth_loaded"


def remember_loaded_state(sender: type, instance: Any, **kwargs: Any) -> None:
    """What the row held when this instance was read (or last saved).

    Read from the instance's own dict: touching a deferred field would load it, build another
    instance and come back here. A field not loaded is remembered as ``None``: unknown.
    """
    loaded = instance.__dict__
    instance.__dict__[LOADED] = (loaded.get("is_active"), loaded.get("password"))


def follow_user_save(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    was_active, old_password = instance.__dict__.get(LOADED, (None, None))
    remember_loaded_state(sender, instance)
    if created:
        return
    password = instance.__dict__.get("password")
    changed = old_password is not None and password is not None and password != old_password
    if getattr(instance, "_password", None) is not None or changed:
        listener = rehash_listener.get()
        if getattr(instance, "_password", None) is None and listener is not None:  # Django's re-hash on login
            listener(instance.pk, fingerprint(old_password), fingerprint(password))
        else:
            _revoke_all(instance.pk, RevokeReason.PASSWORD_CHANGE)
    elif (was_active is None or was_active) and not instance.__dict__.get("is_active", True):  # None: not loaded
        _revoke_all(instance.pk, RevokeReason.DEACTIVATION)


def follow_user_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    """The user's sessions go with them (the foreign key cascades); a store that keeps copies
    elsewhere (the session cache) is told, so that none outlives the deletion."""
    from rix_auth.conf import get_auth
    from rix_auth.stores.cached import CachedSessionStore

    sessions = get_auth().sessions
    if isinstance(sessions, CachedSessionStore):
        sessions.forget_user(instance.pk)


def _revoke_all(user_id: Any, reason: RevokeReason) -> None:
    from rix_auth.conf import get_auth

    result = get_auth().logout_user(user_id, reason=reason)
    if result.error is not None:  # loud: the user believes their other devices are signed out
        logger.error("rix_auth: could not revoke the sessions of user %s after %s: %s", user_id, reason, result.error)


def follow_django_logout(sender: type, request: Any, **kwargs: Any) -> None:
    """A person who logs out through ``django.contrib.auth.logout`` is logged out of rix_auth too.

    Otherwise the admin's "Log out" would leave the session cookie working. When the store cannot
    be reached the cookie is still cleared: this browser forgets the session either way.
    """
    from django.contrib.auth.models import AnonymousUser

    from rix_auth import signin
    from rix_auth.state import RequestState, state_of

    state = state_of(request) if request is not None else None
    if state is None or not state.session_id:
        return
    if signin.logout(request).error is not None:
        logger.warning("Django's logout could not revoke the rix_auth session; its cookie is cleared")
        RequestState(source=state.source, clear_cookie=True).attach(request, AnonymousUser())
