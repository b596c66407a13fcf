"""Users of ``AUTH_USER_MODEL``: logins go through Django's authentication backends.

rix_auth writes the canonical email into both ``USERNAME_FIELD`` and the
email field and finds users by an exact match on ``USERNAME_FIELD``: one
indexed query whose cost does not depend on whether the email exists.
Passwords are checked by ``django.contrib.auth.authenticate()``, so
``AUTHENTICATION_BACKENDS`` decide and Django's login signals fire; hashing
goes through ``PASSWORD_HASHERS`` (use ``Argon2PasswordHasher`` first).
"""

from __future__ import annotations

import importlib
import math
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import check_password
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction

from rix_auth import passwords
from rix_auth.credentials import fingerprint
from rix_auth.session import Holder, User, UserId
from rix_auth.stores.base import Account, InputRejected, Rehashed, UserExists, UserStore
from rix_auth.throttle import LockedOut

MASKED = "********************"  # how Django masks a password in user_login_failed

rehash_listener: ContextVar[Rehashed] = ContextVar("rix_auth_rehash_listener", default=None)
"""Set while a rix_auth login runs Django's backends: a re-hash saved then is not a password change."""


class DjangoUserStore(UserStore):
    def __init__(self, alias: str | None = None) -> None:
        self.alias = alias  # None: wherever the database routers send the user model

    def create(self, email: str, password: str) -> User:
        model = get_user_model()
        fields = {model.USERNAME_FIELD: email, model.get_email_field_name(): email}
        limit = getattr(model._meta.get_field(model.USERNAME_FIELD), "max_length", None)
        if limit is not None and len(email) > limit:
            raise InputRejected([f"The email must be at most {limit} characters long."])
        candidate = model(**fields)
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as error:
            raise InputRejected(list(error.messages)) from error
        candidate.set_password(password)
        try:
            with transaction.atomic(using=self.alias or router.db_for_write(model)):
                candidate.save(using=self.alias)
        except IntegrityError as error:  # USERNAME_FIELD is unique: this also settles races
            raise UserExists(email) from error
        return user_of(candidate)

    def find_id(self, email: str) -> UserId | None:
        model = get_user_model()
        found: UserId | None = self._users.filter(**{model.USERNAME_FIELD: email}).values_list("pk", flat=True).first()
        return found

    def find_by_email(self, email: str) -> Account | None:
        model = get_user_model()
        found = self._users.filter(**{model.USERNAME_FIELD: email}).first()
        return None if found is None else Account(user_of(found), found.password)

    def authenticate(
        self, email: str, password: str, *, account: Account | None, request: object = None, on_rehash: Rehashed = None
    ) -> User | None:
        if account is not None and not account.user.is_active:
            return self._unless_locked_out(self._check_disabled(account, email, password, request), request)
        token = rehash_listener.set(on_rehash)
        try:
            found = django_authenticate(request, username=email, password=password)  # type: ignore[arg-type]
        finally:
            rehash_listener.reset(token)
        user = self._unless_locked_out(None if found is None else user_of(found), request)
        # Django's check ran one hasher (ModelBackend's, for an unknown user too): the others run
        # once more each, so the cost does not tell which hasher made the hash, or whether it exists.
        checked = None if account is None else account.password_hash
        rehashed = found is not None and checked is not None and found.password != checked
        passwords.even_out_django_check(password, checked, matched=found is not None, rehashed=rehashed)
        return user

    def locked_out(self, request: object) -> LockedOut | None:
        """Whether a backend's own lockout refused this attempt. django-axes raises PermissionDenied
        in ``authenticate()`` (which then returns ``None``) and marks the request ``axes_locked_out``;
        its cool-off, when it has one, says how long to wait. Override for another lockout app."""
        if not getattr(request, "axes_locked_out", False):
            return None
        try:
            cool_off = importlib.import_module("axes.helpers").get_cool_off(request)
            return LockedOut(max(math.ceil(cool_off.total_seconds()), 1) if cool_off else None)
        except Exception:  # not axes after all, or a cool-off it cannot compute: wait unknown
            return LockedOut()

    def _unless_locked_out(self, user: User | None, request: object) -> User | None:
        if user is None and (lockout := self.locked_out(request)) is not None:
            raise lockout
        return user

    def authenticate_user(
        self, user_id: UserId, password: str, *, request: object = None, on_rehash: Rehashed = None
    ) -> User | None:
        """Through :meth:`authenticate`, so ``authenticate()`` with the user's ``USERNAME_FIELD``
        (whatever their email): the backends decide, and only this user counts."""
        native = self._find(user_id)
        if native is None:
            return None
        account = Account(user_of(native), native.password)
        username = native.get_username()
        found = self.authenticate(username, password, account=account, request=request, on_rehash=on_rehash)
        return found if found is not None and found.id == native.pk else None

    def signed_in(self, user: User, request: object = None) -> None:
        native = user.native
        user_logged_in.send(sender=type(native), request=request, user=native)  # moves last_login

    def get(self, user_id: UserId) -> User | None:
        found = self._find(user_id)
        return None if found is None else user_of(found)

    def holder(self, user_id: UserId) -> Holder | None:
        found = self._find(user_id)
        if found is None:
            return None
        active = bool(getattr(found, "is_active", True))
        return Holder(active=active, credential=fingerprint(found.password), load=lambda: found)

    def _check_disabled(self, account: Account, email: str, password: str, request: object) -> User | None:
        """Backends refuse inactive users outright; one check still tells ``user_disabled``
        (right password) from ``invalid_credentials``, at the cost of any other attempt."""
        matches = check_password(password, account.password_hash)
        passwords.even_out_django_check(password, account.password_hash, matched=matches)
        credentials = {"username": email, "password": MASKED}
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        return account.user if matches else None

    def _find(self, user_id: UserId) -> Any:
        try:
            return self._users.filter(pk=user_id).first()
        except (ValueError, TypeError, ValidationError):
            return None

    @property
    def _users(self):  # type: ignore[no-untyped-def]
        return get_user_model()._default_manager.using(self.alias)


def user_of(found: Any) -> User:
    """The core view of a user model instance."""
    return User(
        id=found.pk,
        email=getattr(found, get_user_model().get_email_field_name()),
        is_active=bool(getattr(found, "is_active", True)),
        credential=fingerprint(found.password),
        native=found,
    )
