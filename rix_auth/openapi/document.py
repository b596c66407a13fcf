"""Assemble the OpenAPI 3.1 document of rix_auth's JSON endpoints.

Paths come from the URL patterns themselves and errors from :mod:`.refusals`, so neither can
drift from what the views do; methods come from each view's :func:`~rix_auth.bodies.allow`.
:func:`document` raises ``KeyError`` for a pattern it has no description of.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings as django_settings
from django.urls import URLPattern

import rix_auth
from rix_auth.conf import settings
from rix_auth.openapi import links, refusals
from rix_auth.openapi.schemas import BODIES, PATH_PARAMETERS, SUCCESS, Schema, components, error_schema, ref

SAFE = frozenset({"get", "head", "options"})
PUBLIC = frozenset({"csrf", "register", "login"})  # no session needed (one is replaced, at login)
DOCUMENT = "openapi"  # the URL name of the document itself, which it does not describe
UNDESCRIBED = {DOCUMENT, "unknown"}  # and the JSON 404 behind every other address

_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def document(server: str, patterns: Iterable[URLPattern]) -> dict[str, Any]:
    """The document for ``patterns`` (``rix_auth.urls``) mounted at the absolute URL ``server``."""
    paths: dict[str, Any] = {}
    followed = links.links()
    for pattern in patterns:
        route = str(pattern.pattern)
        if pattern.name not in UNDESCRIBED:
            methods = pattern.callback.allowed_methods  # type: ignore[attr-defined]  # set by bodies.allow
            paths["/" + _CONVERTER.sub(r"{\1}", route)] = _path_item(str(pattern.name), route, methods, followed)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "rix_auth",
            "version": rix_auth.__version__,
            "description": "Server-side login sessions. Every refusal is JSON: "
            '{"error": {"code": ..., "message": ...}}; programs branch on the code.',
        },
        "servers": [{"url": server.rstrip("/")}],
        "paths": paths,
        "components": {"schemas": components(), "securitySchemes": security_schemes()},
    }


def security_schemes() -> dict[str, Schema]:
    """Named after the settings in force: the header scheme, the cookie, Django's CSRF header."""
    return {
        "sessionHeader": {
            "type": "http",
            "scheme": settings.header_scheme,
            "description": f"Authorization: {settings.header_scheme} <session_id from login>: "
            '"session_" and 43 URL-safe characters; an id of another shape is invalid_input (400).',
        },
        "sessionCookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.cookie_name,
            "description": 'Set by a login with "cookie": true; unsafe methods also need the CSRF header.',
        },
        "csrfHeader": {
            "type": "apiKey",
            "in": "header",
            "name": csrf_header(),
            "description": "The token from GET csrf/, beside Django's CSRF cookie.",
        },
    }


def csrf_header() -> str:
    """The header name Django reads the CSRF token from (``CSRF_HEADER_NAME`` is a META key)."""
    return str(django_settings.CSRF_HEADER_NAME).removeprefix("HTTP_").replace("_", "-")


def _path_item(name: str, route: str, methods: Iterable[str], followed: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for method in (method.lower() for method in methods):
        item[method] = operation = _operation(name, followed.get(name))
        if name not in PUBLIC:
            cookie: dict[str, list[str]] = {"sessionCookie": []}
            if method not in SAFE:
                cookie["csrfHeader"] = []
            operation["security"] = [{"sessionHeader": []}, cookie]
    parameters = [
        {"name": parameter, "in": "path", "required": True, "schema": PATH_PARAMETERS[parameter]}
        for parameter in _CONVERTER.findall(route)
    ]
    return {**item, **({"parameters": parameters} if parameters else {})}


def _operation(name: str, outgoing: dict[str, Any] | None) -> dict[str, Any]:
    status, description, body = SUCCESS[name]
    success: dict[str, Any] = {"description": description, "content": {"application/json": {"schema": body}}}
    if outgoing:
        success["links"] = outgoing
    operation: dict[str, Any] = {"operationId": name, "responses": {str(status): success, **_errors(name)}}
    if name in BODIES:
        content = {"application/json": {"schema": ref(BODIES[name])}}
        operation["requestBody"] = {"required": True, "content": content}
    return operation


def _errors(name: str) -> dict[str, Any]:
    return {
        str(status): {
            "description": ", ".join(codes),
            "content": {"application/json": {"schema": error_schema(codes)}},
            **({"headers": headers} if (headers := _headers(status)) else {}),
        }
        for status, codes in refusals.by_status(name).items()
    }


def _headers(status: int) -> dict[str, Any]:
    if status == 401:
        challenge = {"required": True, "schema": {"type": "string"}, "description": "The scheme, and why."}
        return {"WWW-Authenticate": challenge}
    if status == 405:
        return {"Allow": {"required": True, "schema": {"type": "string"}, "description": "The methods it takes."}}
    if status == 429:
        wait = {"schema": {"type": "string", "pattern": "^[0-9]+$"}, "description": "Seconds, when known."}
        return {"Retry-After": wait}
    return {}
