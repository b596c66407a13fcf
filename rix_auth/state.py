"""What rix_auth learned about one request, and what its response must carry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

from rix_auth.error import AuthError
from rix_auth.http import Source
from rix_auth.result import Result
from rix_auth.session import Session


@dataclass(slots=True)
class RequestState:
    """Kept as ``request.rix_state``: written by the middleware and by
    :func:`rix_auth.login` / :func:`rix_auth.logout`, read when the response
    goes out. ``session_id`` stays out of ``repr``."""

    source: Source | None = None
    session_id: str | None = field(default=None, repr=False)
    session: Session | None = None
    error: AuthError | None = None
    refreshed: bool = False
    issue_cookie: bool = False
    clear_cookie: bool = False

    def attach(self, request: HttpRequest, user: Any) -> None:
        """Publish the outcome on the request under its documented names."""
        request.rix_state = self  # type: ignore[attr-defined]
        request.rix_session = self.session  # type: ignore[attr-defined]
        request.rix_auth_error = self.error  # type: ignore[attr-defined]
        request.user_id = None if self.session is None else self.session.user_id  # type: ignore[attr-defined]
        if user is not None:
            set_user(request, user)


def set_user(request: HttpRequest, user: Any) -> None:
    """``request.user`` and ``await request.auser()``, as Django's AuthenticationMiddleware sets them."""
    request.user = user

    async def auser() -> Any:
        if isinstance(user, SimpleLazyObject) and user._wrapped is empty:
            await sync_to_async(user._setup)()  # a store may query to read the user
        return user

    request.auser = auser


def outcome_for(request: HttpRequest, session_id: str) -> Result[Session] | None:
    """What the middleware decided for ``session_id`` on this request, or ``None`` if it did not
    look that id up (no middleware, another id): API framework integrations reuse it, so a
    request costs one query whichever layer asks."""
    state = state_of(request)
    if state is None or state.session_id != session_id:
        return None
    if state.error is not None:
        return Result.failure(state.error)
    return None if state.session is None else Result.success(state.session)


def state_of(request: HttpRequest) -> RequestState | None:
    return getattr(request, "rix_state", None)
