"""Users of ``AUTH_USER_MODEL``, hashed through Django's password framework.

rix_auth writes the canonical email into both ``USERNAME_FIELD`` and the
email field and finds users by an exact match on ``USERNAME_FIELD``: one
indexed query whose cost does not depend on whether the email exists.
Hashing goes through ``PASSWORD_HASHERS`` (use ``Argon2PasswordHasher``
first), so the admin and ``check_password`` keep working for these users.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import BasePasswordHasher, check_password, get_hasher, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rix_auth.session import User, UserId
from rix_auth.stores.base import Account, InputRejected, UserExists, UserStore


class DjangoUserStore(UserStore):
    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

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
            with transaction.atomic(using=self.alias):
                candidate.save(using=self.alias)
        except IntegrityError as error:  # USERNAME_FIELD is unique: this also settles races
            raise UserExists(email) from error
        return _user(candidate)

    def find_by_email(self, email: str) -> Account | None:
        model = get_user_model()
        found = self._users.filter(**{model.USERNAME_FIELD: email}).first()
        return None if found is None else Account(_user(found), found.password)

    def check_password(self, account: Account, password: str) -> bool:
        def upgrade(raw_password: str) -> None:
            # A queryset update, not save(): a re-hash is not a password change.
            self._users.filter(pk=account.user.id).update(password=make_password(raw_password))

        return check_password(password, account.password_hash, setter=upgrade)

    def check_dummy_password(self, password: str) -> None:
        check_password(password, _dummy_hash(get_hasher()))  # the same path as a real check

    def get(self, user_id: UserId) -> User | None:
        try:
            found = self._users.filter(pk=user_id).first()
        except (ValueError, TypeError, ValidationError):
            return None
        return None if found is None else _user(found)

    @property
    def _users(self):  # type: ignore[no-untyped-def]
        return get_user_model()._default_manager.using(self.alias)


@lru_cache(maxsize=8)
def _dummy_hash(hasher: BasePasswordHasher) -> str:
    """A real hash with the hasher's current parameters (Django rebuilds hashers when settings change)."""
    return hasher.encode(secrets.token_urlsafe(16), hasher.salt())


def _user(found: object) -> User:
    email_field = get_user_model().get_email_field_name()
    return User(
        id=found.pk,  # type: ignore[attr-defined]
        email=getattr(found, email_field),
        is_active=bool(getattr(found, "is_active", True)),
    )
