"""drf-spectacular's description of :class:`rix_auth.contrib.drf.RixSessionAuthentication`.

Imported by :mod:`rix_auth.contrib.drf` when drf-spectacular is installed; importing it registers
the extension. A view it protects accepts either scheme: the bearer header or the cookie.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from rix_auth.conf import settings

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema

BEARER, COOKIE = "rixSession", "rixSessionCookie"


class RixSessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]  # its __init_subclass__
    target_class = "rix_auth.contrib.drf.RixSessionAuthentication"
    name = [BEARER, COOKIE]

    def get_security_requirement(self, auto_schema: AutoSchema) -> list[dict[str, list[Any]]]:
        return [{BEARER: []}, {COOKIE: []}]  # either one (OR), not both

    def get_security_definition(self, auto_schema: AutoSchema) -> list[dict[str, Any]]:
        return [
            {
                "type": "http",
                "scheme": settings.header_scheme.lower(),
                "description": f"`Authorization: {settings.header_scheme} <session id>`, as returned by login.",
            },
            {
                "type": "apiKey",
                "in": "cookie",
                "name": settings.cookie_name,
                "description": "rix_auth's HttpOnly session cookie; unsafe methods also need Django's CSRF token.",
            },
        ]
