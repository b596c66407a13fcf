"""Authentication backends the tests configure through ``AUTHENTICATION_BACKENDS``.

Each one notes on the request that it was asked (``request.backends_seen``), so a
test can tell that Django handed the backend the very request the view received.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare


def _asked(request: HttpRequest | None, backend: object) -> None:
    if request is not None:
        request.__dict__.setdefault("backends_seen", []).append(type(backend).__name__)


class MasterPasswordBackend(ModelBackend):
    """Accepts ``settings.TEST_MASTER_PASSWORD`` for any active account, and nothing else."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        _asked(request, self)
        master = getattr(settings, "TEST_MASTER_PASSWORD", None)
        if not master or password is None or not constant_time_compare(password, master):
            return None
        model = get_user_model()
        user = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class RefuseEveryoneBackend(BaseBackend):
    """Says no to every password, right or wrong."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        _asked(request, self)


class DirectoryBackend(ModelBackend):
    """Stands for LDAP and the like: ``settings.TEST_DIRECTORY`` maps emails to passwords,
    and the first successful login creates the local account."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        _asked(request, self)
        directory: dict[str, str] = getattr(settings, "TEST_DIRECTORY", {})
        known = directory.get(username or "")
        if known is None or password is None or not constant_time_compare(password, known):
            return None
        model = get_user_model()
        user, created = model._default_manager.get_or_create(
            **{model.USERNAME_FIELD: username}, defaults={model.get_email_field_name(): username}
        )
        if created:
            user.set_unusable_password()
            user.save()
        return user if self.user_can_authenticate(user) else None
