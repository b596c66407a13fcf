"""The JSON Schemas of what the endpoints accept and answer (OpenAPI 3.1 uses JSON Schema 2020-12).

Request bodies mirror :mod:`rix_auth.bodies` and the input limits the service checks before
anything else (:mod:`rix_auth.inputs`), so a body these schemas accept is never refused as
``invalid_input`` by login. Registration also applies the project's email and password rules,
which no schema can state. Extra fields in a body are ignored, as the parser ignores them.
"""

from __future__ import annotations

from typing import Any

from rix_auth.emails import MAX_EMAIL_LENGTH
from rix_auth.error import AuthErrorCode
from rix_auth.http import HttpErrorCode
from rix_auth.inputs import MAX_PASSWORD_LENGTH, MAX_RAW_EMAIL_LENGTH

Schema = dict[str, Any]

_STORABLE = "^[^\\x00]*$"  # no NUL: no store can hold it (rix_auth.inputs.storable)


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: Schema, *, optional: tuple[str, ...] = (), closed: bool = True) -> Schema:
    """An object with these properties, all required but ``optional``; ``closed`` forbids others."""
    shape: Schema = {"type": "object", "properties": properties}
    shape["required"] = [name for name in properties if name not in optional]
    if closed:
        shape["additionalProperties"] = False
    return shape


_TIME = {"type": "string", "format": "date-time"}
_PASSWORD = {"type": "string", "minLength": 1, "maxLength": MAX_PASSWORD_LENGTH, "pattern": _STORABLE}
_PUBLIC_ID = {"type": "string", "pattern": "^[0-9a-f]{16}$", "description": "A handle; it never authenticates."}
_SESSION = {
    "public_id": _PUBLIC_ID,
    "created_at": _TIME,
    "expires_at": _TIME,
    "last_seen_at": _TIME,
    "authenticated_at": {**_TIME, "description": "The last time the user proved who they are on it."},
}

_SESSION_ID = {"type": "string", "pattern": "^session_[A-Za-z0-9_-]{43}$", "description": "The bearer secret."}
STABLE = "Stable: programs branch on it."
_EMAIL = {"type": "string", "maxLength": MAX_RAW_EMAIL_LENGTH, "pattern": _STORABLE}
_COOKIE = {"type": "boolean", "default": False}


def components() -> dict[str, Schema]:
    """Read when the document is built: the password rule comes from the settings."""
    return {
        "Error": obj(
            {
                "error": obj(
                    {
                        "code": {"enum": sorted([*AuthErrorCode, *HttpErrorCode]), "description": STABLE},
                        "message": {"type": "string", "description": "For people; it may change."},
                    }
                )
            }
        ),
        "UserId": {"type": ["integer", "string"], "description": "The user model's primary key."},
        "User": obj({"id": ref("UserId"), "email": {"type": "string"}}),
        "Session": obj(_SESSION),
        "Device": obj(
            {
                **_SESSION,
                "ip": {"type": ["string", "null"], "description": "The address it was opened from, if recorded."},
                "user_agent": {"type": "string", "description": "Empty when not recorded."},
                "device": {"type": "string", "description": 'A name for people, e.g. "Chrome 156 on Linux".'},
                "current": {"type": "boolean", "description": "Whether it is the session making this request."},
            }
        ),
        "Registration": obj(
            {
                "email": {
                    "type": "string",
                    "format": "email",
                    "maxLength": MAX_EMAIL_LENGTH,
                    "description": "Trimmed, normalised and matched case-insensitively.",
                },
                "password": {**_PASSWORD, "minLength": password_min_length(), "description": VALIDATORS_APPLY},
                "cookie": {**_COOKIE, "description": "Ignored here."},
            },
            optional=("cookie",),
            closed=False,
        ),
        "Credentials": obj(
            {
                "email": {**_EMAIL, "description": "Any string: an unknown address is invalid_credentials."},
                "password": _PASSWORD,
                "cookie": {**_COOKIE, "description": "Set the session cookie instead of returning session_id."},
            },
            optional=("cookie",),
            closed=False,
        ),
        "Password": obj({"password": _PASSWORD}, closed=False),
    }


VALIDATORS_APPLY = "AUTH_PASSWORD_VALIDATORS apply too; their refusals are invalid_input."


def password_min_length() -> int:
    """The longest minimum among Django's password validators (``min_length``), at least 1."""
    from django.contrib.auth.password_validation import get_default_password_validators

    lengths = [getattr(validator, "min_length", 1) for validator in get_default_password_validators()]
    return max([1, *(length for length in lengths if isinstance(length, int))])


SUCCESS: dict[str, tuple[int, str, Schema]] = {  # operation id: (status, description, body)
    "csrf": (200, "The token for the CSRF header; the CSRF cookie is set.", obj({"csrf_token": {"type": "string"}})),
    "register": (201, "The account was created.", obj({"user": ref("User")})),
    "login": (
        200,
        "A new session; session_id is the bearer secret, absent when the cookie carries it.",
        obj(
            {"user": ref("User"), "session": ref("Session"), "session_id": _SESSION_ID},
            optional=("session_id",),
        ),
    ),
    "whoami": (200, "The session making this request.", obj({"user_id": ref("UserId"), "session": ref("Session")})),
    "refresh": (200, "The session, its expiry moved on.", obj({"session": ref("Session")})),
    "reauthenticate": (200, "The session, authenticated_at now.", obj({"session": ref("Session")})),
    "logout": (200, "The session is revoked and its cookie cleared.", obj({"logged_out": {"const": True}})),
    "logout-all": (
        200,
        "Every session of the user is revoked.",
        obj({"revoked": {"type": "integer", "minimum": 0, "description": "How many were live."}}),
    ),
    "sessions": (
        200,
        "The user's live sessions: this one first, then the newest first.",
        obj({"sessions": {"type": "array", "items": ref("Device")}}),
    ),
    "revoke": (200, "That session is revoked (it may have been already).", obj({"revoked": _PUBLIC_ID})),
}

PATH_PARAMETERS = {"public_id": _PUBLIC_ID}

BODIES: dict[str, str] = {"register": "Registration", "login": "Credentials", "reauthenticate": "Password"}
"""The operations that read a JSON body, and its schema."""


def error_schema(codes: list[str]) -> Schema:
    """The shared error shape, narrowed to ``codes``."""
    return {"allOf": [ref("Error")], "properties": {"error": {"properties": {"code": {"enum": codes}}}}}
