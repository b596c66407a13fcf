"""OpenAPI links: how a client goes from one answer to the next request.

They trace the life of a session (register, log in, use it, log out) so that readers, and
tools that walk links, know where each value comes from.
"""

from __future__ import annotations

from typing import Any

from rix_auth.conf import settings

_SESSION = "{$response.body#/session_id}"


def _with_session(operation: str, **extra: Any) -> dict[str, Any]:
    header = {"header.Authorization": f"{settings.header_scheme} {_SESSION}"}
    return {"operationId": operation, "parameters": {**header, **extra.pop("parameters", {})}, **extra}


def links() -> dict[str, dict[str, Any]]:
    """Per operation id, the links of its success response (the header scheme is a setting)."""
    typed = "$request.body#/password"  # what the client sent, in the next request
    return {
        "register": {
            "login": {
                "operationId": "login",
                "requestBody": {"email": "$request.body#/email", "password": typed, "cookie": False},
            }
        },
        "login": {
            "whoami": _with_session("whoami"),
            "sessions": _with_session("sessions"),
            "refresh": _with_session("refresh"),
            "reauthenticate": _with_session("reauthenticate", requestBody={"password": typed}),
            "revoke": _with_session("revoke", parameters={"path.public_id": "$response.body#/session/public_id"}),
            "logout": _with_session("logout"),
            "logoutAll": _with_session("logout-all"),
        },
    }
