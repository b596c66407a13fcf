"""Django REST framework authentication by rix_auth session (``pip install rix-auth[drf]``)::

    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": ["rix_auth.contrib.drf.RixSessionAuthentication"],
    }

The id comes from ``Authorization: <HEADER_SCHEME> <id>`` or rix_auth's cookie, as the
middleware reads it; with the cookie, unsafe methods need Django's CSRF token. Success sets
``request.user`` to the session's user (read with the session, no second query) and
``request.auth`` to the :class:`~rix_auth.session.Session`. A request with no id is left to the
next authentication class. When rix_auth's middleware already authenticated the request, its
outcome is reused: one query in all.

Refusals carry rix_auth's stable code both as the DRF error code and in the body, as
``{"detail": <message>, "code": <code>}`` with DRF's default exception handler:

* 401 ``AuthenticationFailed``: ``invalid_input``, ``invalid_session``, ``session_expired``,
  ``session_revoked``, with ``WWW-Authenticate``;
* 403 ``PermissionDenied``: ``user_disabled`` (as rix_auth's own endpoints answer it: the
  session is fine, the account may not act) and ``csrf_failed``;
* 503 :class:`StoreUnavailable`: ``store_error``.

Without the middleware a request costs one query too and a due sliding refresh still extends the
session, but nothing re-issues the cookie: a cookie session slides only behind the middleware.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from rix_auth import http
from rix_auth.conf import get_auth, settings
from rix_auth.error import DEFAULT_MESSAGES, AuthError, AuthErrorCode
from rix_auth.middleware import SAFE_METHODS
from rix_auth.result import Result
from rix_auth.session import Session, SessionUse
from rix_auth.state import outcome_for

__all__ = ["RixSessionAuthentication", "StoreUnavailable"]

CSRF_FAILED = http.HttpErrorCode.CSRF_FAILED.value


class StoreUnavailable(exceptions.APIException):
    """The session store failed: 503 ``store_error``; the client may retry."""

    status_code = 503
    default_detail = DEFAULT_MESSAGES[AuthErrorCode.STORE_ERROR]  # lazy: in the language of each request
    default_code = AuthErrorCode.STORE_ERROR.value


def _detail(code: str, message: str) -> dict[str, str]:
    """The body DRF's default exception handler renders: the message and the stable code."""
    return {"detail": message, "code": code}


def _refusal(error: AuthError) -> exceptions.APIException:
    code = error.code.value
    if error.code is AuthErrorCode.STORE_ERROR:
        return StoreUnavailable(_detail(code, error.message), code)
    if error.code is AuthErrorCode.USER_DISABLED:
        return exceptions.PermissionDenied(_detail(code, error.message), code)
    return exceptions.AuthenticationFailed(_detail(code, error.message), code)


class RixSessionAuthentication(BaseAuthentication):
    """``(user, session)`` for a request that carries a usable rix_auth session id."""

    def get_session_id(self, request: HttpRequest) -> tuple[str | None, http.Source | None]:
        """The id and its source (``"header"`` or ``"cookie"``); override to change where it comes from."""
        return http.session_id_from(request)

    def authenticate(self, request: Request) -> tuple[Any, Session] | None:
        session_id, source = self.get_session_id(request._request)
        if session_id is None:
            return None  # not ours: the next authentication class, or anonymous
        if source == "cookie" and request.method not in SAFE_METHODS:
            self.enforce_csrf(request)
        session = self.session_for(request, session_id)
        user = session.holder.user() if session.holder is not None else None
        if user is None:  # every store hands the user over with a usable session; refuse rather than guess
            raise _refusal(AuthError(AuthErrorCode.INVALID_SESSION))
        return user, session

    def session_for(self, request: Request, session_id: str) -> Session:
        """The usable session, reusing the middleware's outcome for this id; raises a refusal."""
        decided = outcome_for(request._request, session_id)
        if decided is None:
            decided = self.use_session(request, session_id).map(lambda used: used.session)
        if decided.error is not None:
            raise _refusal(decided.error)
        return decided.value

    def use_session(self, request: Request, session_id: str) -> Result[SessionUse]:
        """One query (plus an UPDATE when a sliding refresh is due), as the middleware's."""
        return get_auth().use_session(session_id, refresh_if_idle_for=settings.refresh_interval_seconds)

    def enforce_csrf(self, request: Request) -> None:
        """Django's CSRF check, as DRF's ``SessionAuthentication`` runs it: a cookie rides along on
        cross-site requests. Passes at once when the middleware already checked this request."""
        reason = http.csrf_failure(request)  # DRF's Request, as its own SessionAuthentication passes
        if reason:
            raise exceptions.PermissionDenied(_detail(CSRF_FAILED, http.csrf_message(reason)), CSRF_FAILED)

    def authenticate_header(self, request: Request) -> str:
        """Makes DRF answer 401 rather than 403; names the token invalid when the request carried one."""
        session_id, _ = self.get_session_id(request._request)
        return settings.header_scheme if session_id is None else f'{settings.header_scheme} error="invalid_token"'


try:  # drf-spectacular is optional; importing the extension registers it
    import_module("rix_auth.contrib.drf_spectacular")
except ModuleNotFoundError as missing:
    if not (missing.name or "").startswith("drf_spectacular"):
        raise
