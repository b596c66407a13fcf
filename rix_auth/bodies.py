"""What rix_auth's JSON endpoints accept: which methods, which content type, which bodies.

A browser form may post ``text/plain``, urlencoded or multipart bodies to any site
without asking first, but never ``application/json``; so only that content type (in
UTF-8) counts as a body, and a cross-site form cannot register or log in anyone.
Bodies are small, shallow JSON objects whose fields have the expected types. Whatever
arrives, the answer is a 4xx in the JSON error shape, never a 500. Endpoints that
take no body (refresh, logout, ...) never read one, so what a client sends them is
ignored: the cookie's CSRF check, not the content type, guards them.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.utils.text import get_text_list

from rix_auth import http
from rix_auth.error import AuthError, AuthErrorCode, gettext_lazy
from rix_auth.http import HttpErrorCode

View = TypeVar("View", bound=Callable[..., HttpResponse])

MAX_BODY_BYTES = 16 * 1024  # a login body is under 2 KiB: the email and password are capped anyway
MAX_DEPTH = 8  # rix_auth's bodies are flat objects; a few levels spare for clients that add metadata

BAD_MEDIA_TYPE = gettext_lazy("Send the body as Content-Type: application/json (UTF-8).")
TOO_LARGE = gettext_lazy("The body is larger than %(limit)d bytes.", limit=MAX_BODY_BYTES)
NOT_UTF8 = gettext_lazy("The body is not valid UTF-8.")
TOO_DEEP = gettext_lazy("The body is nested more than %(limit)d levels deep.", limit=MAX_DEPTH)
BAD_BODY = gettext_lazy('Send a JSON object, e.g. {"email": "...", "password": "..."}.')
NOT_ALLOWED = gettext_lazy("%(method)s is not allowed here; use %(allowed)s.")
BAD_COOKIE_FLAG = gettext_lazy("cookie must be true or false.")
NOT_A_STRING = gettext_lazy("%(field)s must be a string.")

# A JSON string (escapes included) or a bracket; strings are matched whole so brackets inside them don't count.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


class Refused(Exception):
    """The HTTP layer's own answer to a request no view should see."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True)
class Credentials:
    """The fields of a register or login body, with their types checked."""

    email: str
    password: str
    cookie: bool = False


def allow(*methods: str) -> Callable[[View], View]:
    """Django's ``require_http_methods``, but its 405 is the JSON error shape (with ``Allow``).

    HEAD goes wherever GET does, as HTTP expects. The view keeps ``allowed_methods``, the
    methods it was declared with, which the OpenAPI document reads.
    """
    accepted = (*methods, "HEAD") if "GET" in methods else methods

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in accepted:
                message = NOT_ALLOWED % {"method": request.method, "allowed": get_text_list(list(accepted))}
                response = http.http_error(HttpErrorCode.METHOD_NOT_ALLOWED, message)
                response["Allow"] = ", ".join(accepted)
                return response
            return view(request, *args, **kwargs)

        wrapper.allowed_methods = methods  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def takes_credentials(
    view: Callable[[HttpRequest, Credentials], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A view that receives the checked :class:`Credentials` of its body, or never runs."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        try:
            given = credentials(json_object(request))
        except Refused as refused:
            return refused.response
        return view(request, given)

    return wrapper


def takes_password(view: Callable[[HttpRequest, str], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """A view that receives the ``password`` string of its body (re-authentication), or never runs."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        try:
            password = _string(json_object(request), "password")
        except Refused as refused:
            return refused.response
        return view(request, password)

    return wrapper


def json_object(request: HttpRequest) -> dict[str, Any]:
    """The body as a JSON object; raises :class:`Refused` with a 415, 413 or 400 otherwise."""
    _check_media_type(request)  # before reading: the CSRF check may have consumed a multipart stream
    try:
        text = _read(request).decode("utf-8")
    except UnicodeDecodeError as error:
        raise _invalid(NOT_UTF8) from error
    return _parse(text)


def credentials(body: dict[str, Any]) -> Credentials:
    """``email`` and ``password`` must be strings, ``cookie`` (if given) a boolean."""
    cookie = body.get("cookie", False)
    if not isinstance(cookie, bool):
        raise _invalid(BAD_COOKIE_FLAG)
    return Credentials(email=_string(body, "email"), password=_string(body, "password"), cookie=cookie)


def _check_media_type(request: HttpRequest) -> None:
    charset = request.content_params.get("charset", "utf-8") if request.content_params else "utf-8"
    if request.content_type != "application/json" or charset.lower() != "utf-8":
        raise Refused(http.http_error(HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, BAD_MEDIA_TYPE))


def _read(request: HttpRequest) -> bytes:
    """At most one byte over the limit is read, whatever Content-Length claims."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        raise Refused(http.http_error(HttpErrorCode.REQUEST_TOO_LARGE, TOO_LARGE))
    try:
        data = request.read(MAX_BODY_BYTES + 1)
    except UnreadablePostError as error:  # the client went away mid-body
        raise _invalid(BAD_BODY) from error
    if len(data) > MAX_BODY_BYTES:
        raise Refused(http.http_error(HttpErrorCode.REQUEST_TOO_LARGE, TOO_LARGE))
    return data


def _parse(text: str) -> dict[str, Any]:
    if _too_deep(text):  # scanned first: json.loads recurses, and 1,000 levels overflow the stack
        raise _invalid(TOO_DEEP)
    try:
        body = json.loads(text, parse_constant=_no_constant)
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # a lone surrogate ("\ud800") is not text
    except (ValueError, RecursionError) as error:  # UnicodeError is a ValueError
        raise _invalid(BAD_BODY) from error
    if not isinstance(body, dict):
        raise _invalid(BAD_BODY)
    return body


def _too_deep(text: str) -> bool:
    depth = 0
    for token in _TOKENS.finditer(text):
        bracket = token.group()[0]
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def _no_constant(name: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON, though Python's parser takes them."""
    raise ValueError(f"{name} is not JSON")


def _string(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if not isinstance(value, str):
        raise _invalid(NOT_A_STRING % {"field": field})
    return value


def _invalid(message: str) -> Refused:
    return Refused(http.error_response(AuthError(AuthErrorCode.INVALID_INPUT, message)))
