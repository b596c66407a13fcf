"""The pages' forms: Django's validation first, then the service's rules and messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def _password(autocomplete: str) -> forms.CharField:
    """Never stripped (spaces count) and never echoed back into the page."""
    return forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": autocomplete})
    )


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = _password("current-password")


class RegisterForm(SignInForm):
    password = _password("new-password")  # so password managers offer to make one


class PasswordForm(forms.Form):
    """The password again, before a sensitive action."""

    password = _password("current-password")
