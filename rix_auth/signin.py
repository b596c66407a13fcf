"""Open and end a session from a view, shaped like ``django.contrib.auth.login`` / ``logout``.

For sites where people prove who they are some other way (a social account,
a passkey, a one-time code, a magic link): once the view trusts the user,
``rix_auth.login(request, user)`` gives them a session.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.middleware.csrf import rotate_token

from rix_auth import http
from rix_auth.conf import get_auth
from rix_auth.error import AuthError, AuthErrorCode, gettext_lazy
from rix_auth.result import Result
from rix_auth.session import Session
from rix_auth.state import RequestState, state_of

NO_MIDDLEWARE = (
    "rix_auth.login(cookie=True) and rix_auth.logout() need 'rix_auth.middleware.SessionMiddleware' "
    "in MIDDLEWARE: it sets and clears the cookie on the response."
)
NOTHING_TO_END = gettext_lazy("There is no session to log out.")


def login(request: HttpRequest, user: Any, *, cookie: bool = True) -> Result[Session]:
    """Open a session for ``user`` (a user model instance) and make it this request's.

    With ``cookie=True`` the response sets the session cookie; API clients pass
    ``cookie=False`` and hand out ``session.id``. A session the request already
    carried is logged out, so a sign-in never leaves the old one behind.
    """
    if cookie and state_of(request) is None:
        raise ImproperlyConfigured(NO_MIDDLEWARE)
    user_id = user.pk if hasattr(user, "pk") else user.id  # a model instance, or a memory store's user
    opened = get_auth().start_session(user_id, request=request, **http.device(request))
    if opened.error is not None:
        return Result.failure(opened.error)
    adopt(request, opened.value.session, user, cookie=cookie)
    return Result.success(opened.value.session)


def adopt(request: HttpRequest, session: Session, user: Any, *, cookie: bool) -> None:
    """Make a session just opened for ``user`` (by :func:`login`, or a password login) this request's.

    The session the request carried is logged out; with ``cookie`` the CSRF token is rotated, as
    ``django.contrib.auth.login`` does, and the response sets the session cookie.
    """
    state = state_of(request)
    if cookie and state is None:
        raise ImproperlyConfigured(NO_MIDDLEWARE)
    if state is not None and state.session is not None and state.session_id:
        get_auth().logout(state.session_id)
    if cookie:
        rotate_token(request)  # a token seen before sign-in is not reused after
    source = state.source if state else None
    stale_cookie = not cookie and source == "cookie"  # it names the session just logged out
    replacement = RequestState(source=source, session_id=session.id, session=session, issue_cookie=cookie,
                               clear_cookie=stale_cookie)  # fmt: skip
    replacement.attach(request, user)


def logout(request: HttpRequest) -> Result[None]:
    """Revoke the request's session and clear its cookie; the request becomes anonymous.

    If the store cannot be reached the session stays as it was, cookie included, so the
    client can try again.
    """
    state = state_of(request)
    if state is None:
        raise ImproperlyConfigured(NO_MIDDLEWARE)
    if not state.session_id:
        return Result.failure(AuthError(AuthErrorCode.INVALID_SESSION, NOTHING_TO_END))
    result = get_auth().logout(state.session_id)
    if result.error is not None and result.error.code is AuthErrorCode.STORE_ERROR:
        return result
    from django.contrib.auth.models import AnonymousUser  # needs the app registry

    RequestState(source=state.source, clear_cookie=True).attach(request, AnonymousUser())
    return result
