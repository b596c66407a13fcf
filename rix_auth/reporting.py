"""Keep session ids out of Django's error reports: admin mails, log records, 500 pages.

Django's :class:`~django.views.debug.SafeExceptionReporterFilter` hides the cookie
named ``SESSION_COOKIE_NAME`` and headers such as ``Authorization``, but not
rix_auth's cookie; and it hides frame variables only in functions decorated with
``sensitive_variables``, and only while ``DEBUG`` is off. So the middleware gives
every request (Django's ``request.exception_reporter_filter`` hook) the project's
configured filter extended with :class:`SessionIdRedaction`, which, whatever
``DEBUG`` says, replaces the session cookie and the ``Authorization`` and
``Cookie`` headers whole, and any session id (recognised by its shape) in every
other header, POST field and frame variable.

Errors raised before the middleware runs (in middleware listed above it) and
records logged without a request use the configured filter alone; setting
``DEFAULT_EXCEPTION_REPORTER_FILTER = "rix_auth.reporting.SessionIdFilter"``
covers them too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.template.defaultfilters import pprint
from django.utils.datastructures import MultiValueDict
from django.views.debug import SafeExceptionReporterFilter, get_default_exception_reporter_filter

from rix_auth import tokens
from rix_auth.conf import settings

if TYPE_CHECKING:
    from collections.abc import ItemsView

    _Filter = SafeExceptionReporterFilter
else:  # at run time a plain mixin, so it can sit in front of any configured filter
    _Filter = object

ID_IN_TEXT = re.compile(re.escape(tokens.SESSION_ID_PREFIX) + r"[A-Za-z0-9_-]{43,}")
"""A session id anywhere in a text: the prefix and 43 URL-safe characters (a longer run goes whole)."""

HIDDEN_HEADERS = frozenset({"HTTP_AUTHORIZATION", "HTTP_COOKIE"})


class SessionIdRedaction(_Filter):
    """Runs after the filter it extends, so the project's own cleansing still applies."""

    def get_safe_cookies(self, request: HttpRequest) -> dict[str, Any]:
        cookies = super().get_safe_cookies(request)
        ours = settings.cookie_name
        return {k: self.cleansed_substitute if k == ours else self.scrub(v) for k, v in cookies.items()}

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        return {k: self.cleansed_substitute if k in HIDDEN_HEADERS else self.scrub(v) for k, v in meta.items()}

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        parameters = super().get_post_parameters(request)
        if isinstance(parameters, MultiValueDict):
            cleansed = parameters.copy()
            for key, values in parameters.lists():
                cleansed.setlist(key, [self.scrub(v) for v in values])
            return cleansed
        return {k: self.scrub(v) for k, v in parameters.items()} if isinstance(parameters, dict) else parameters

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> ItemsView[str, Any]:
        """Django hides nothing here unless asked; a frame that handles a session holds its id."""
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return {name: self.scrub_shown(value) for name, value in variables}.items()

    def scrub(self, value: Any) -> Any:
        """``value`` with any session id in it replaced, if it is a string."""
        if isinstance(value, str) and tokens.SESSION_ID_PREFIX in value:
            return ID_IN_TEXT.sub(lambda _: self.cleansed_substitute, value)
        return value

    def scrub_shown(self, value: Any) -> Any:
        """As :meth:`scrub`, for any object: the report prints it, so look at what it prints."""
        if value is None or isinstance(value, (str, int, float)):
            return self.scrub(value)
        shown = pprint(value)
        return _Shown(self.scrub(shown)) if ID_IN_TEXT.search(shown) else value


class SessionIdFilter(SessionIdRedaction, SafeExceptionReporterFilter):
    """Django's filter with rix_auth's redaction, for ``DEFAULT_EXCEPTION_REPORTER_FILTER``:
    it then also covers reports the middleware never sees. Subclass it together with
    a filter of your own to keep both."""


class _Shown:
    """A value's printed form with the ids replaced; Django's report prints it unchanged."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def request_filter() -> SafeExceptionReporterFilter:
    """What the middleware sets as ``request.exception_reporter_filter``: the configured
    filter extended, one shared instance per configured class, so requests build nothing."""
    configured = get_default_exception_reporter_filter()
    if isinstance(configured, SessionIdRedaction):
        return configured
    base = type(configured)
    if (extended := _EXTENDED.get(base)) is None:
        name = f"SessionIdRedacting{base.__name__}"
        extended = _EXTENDED.setdefault(base, type(name, (SessionIdRedaction, base), {"__module__": __name__})())
    return extended


_EXTENDED: dict[type, SafeExceptionReporterFilter] = {}
