"""One-time sign-in links, built from Django's own password-reset token machinery.

A token is ``PasswordResetTokenGenerator``'s, salted apart so that a
password-reset token can never open a session (nor the reverse). Its hash
covers the user's ``last_login``, which ``user_logged_in`` moves when
``rix_auth.login`` opens the session: a link therefore signs in once. It also
covers the password hash and the email, so changing either voids every link
still out. The example prints links instead of mailing them, so it needs no
mail server.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from rix_auth.emails import canonical_email
from rix_auth.inputs import acceptable_raw_email

TIMEOUT_SECONDS = 15 * 60  # a sign-in link is a bearer credential: keep it short-lived


class MagicLinkTokenGenerator(PasswordResetTokenGenerator):
    """Password-reset tokens with their own salt and a lifetime of ``TIMEOUT_SECONDS``."""

    key_salt = "example_project.magic_link.MagicLinkTokenGenerator"
    timeout_seconds = TIMEOUT_SECONDS

    def check_token(self, user: Any, token: str | None) -> bool:
        """Django's check (signature, and ``PASSWORD_RESET_TIMEOUT``), then our shorter lifetime."""
        if not super().check_token(user, token):
            return False
        issued = base36_to_int(str(token).split("-")[0])
        return self._num_seconds(self._now()) - issued <= self.timeout_seconds

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        """Django's value, which keeps ``last_login`` to the second, plus its microseconds:
        otherwise a link used within the second of the previous sign-in would work twice."""
        last_login = user.last_login
        return f"{super()._make_hash_value(user, timestamp)}{'' if last_login is None else last_login.microsecond}"


tokens = MagicLinkTokenGenerator()


def active_user_with_email(email: str) -> Any:
    """The active account that password login would find for ``email`` (the canonical email
    in ``USERNAME_FIELD``, as rix_auth stores it), or ``None``."""
    if not acceptable_raw_email(email):  # a NUL or lone surrogate would fail in the database
        return None
    model = get_user_model()
    found = model._default_manager.filter(**{model.USERNAME_FIELD: canonical_email(email)}).first()
    return found if found is not None and getattr(found, "is_active", True) else None


def user_for_link(uidb64: str, token: str, *, lock: bool = False) -> Any:
    """The active user a valid, unused, unexpired link names, or ``None``.

    ``lock`` holds the user's row until the transaction ends, so two clicks of
    one link cannot both pass the check before the first has signed in.
    """
    model = get_user_model()
    users = model._default_manager.select_for_update() if lock else model._default_manager.all()
    try:
        user = users.filter(pk=urlsafe_base64_decode(uidb64).decode()).first()
    except (TypeError, ValueError, OverflowError, ValidationError):
        return None
    if user is None or not getattr(user, "is_active", True) or not tokens.check_token(user, token):
        return None
    return user


def link_for(request: HttpRequest, user: Any) -> str:
    """The absolute sign-in URL for ``user``, valid from now for ``TIMEOUT_SECONDS``."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return request.build_absolute_uri(reverse("magic_link", args=[uidb64, tokens.make_token(user)]))


def deliver(email: str, link: str) -> None:
    """Stand-in for ``send_mail``: the link appears in the terminal running the site."""
    minutes = TIMEOUT_SECONDS // 60
    print(f"Sign-in link for {email} (works once, for {minutes} minutes): {link}", flush=True)
