"""The example site's own pages: a home page that lists everything, and sign-in by one-time link.

Password sign-in, registration and "your devices" are rix_auth's shipped pages
(``rix_auth.web``, under ``/account/``); the link hands over to the same
``rix_auth.login`` and lands on the same devices page.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

import rix_auth
from example_project import magic_link


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_POST
def request_link(request: HttpRequest) -> HttpResponse:
    """The same answer whether or not the email has an account, so the form reveals nobody."""
    user = magic_link.active_user_with_email(request.POST.get("email", ""))
    if user is not None:
        magic_link.deliver(getattr(user, user.get_email_field_name()), magic_link.link_for(request, user))
    minutes = magic_link.TIMEOUT_SECONDS // 60
    messages.info(request, _(
        "If an account uses that email, a sign-in link is on its way. This example prints it instead of "
        "mailing it: check the terminal running the site. The link works once, for %(minutes)d minutes."
    ) % {"minutes": minutes})  # fmt: skip
    return HttpResponseRedirect(reverse("home"))


@require_http_methods(["GET", "POST"])
def use_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET only shows a button: mail scanners that fetch links must not spend them. POST signs in."""
    if request.method == "GET":
        user = magic_link.user_for_link(uidb64, token)
        if user is None:
            return _bad_link(request)
        return render(request, "magic_link.html", {"email": getattr(user, user.get_email_field_name())})
    with transaction.atomic():
        user = magic_link.user_for_link(uidb64, token, lock=True)
        signed_in = None if user is None else rix_auth.login(request, user)  # moves last_login: the link is spent
    if signed_in is None:
        return _bad_link(request)
    if signed_in.error is not None:
        return render(request, "magic_link.html", {"error": signed_in.error.message}, status=400)
    return HttpResponseRedirect(reverse("rix_auth_web:devices"))


def _bad_link(request: HttpRequest) -> HttpResponse:
    error = _("This sign-in link is invalid, already used or expired. Ask for a new one.")
    return render(request, "magic_link.html", {"error": error}, status=400)
