"""The sessions page's complete example, in Python.

    python -m example_project.sessions_demo memory
    python -m example_project.sessions_demo database   # the example project's database
"""

from __future__ import annotations

import os
import sys

import rix_auth
from rix_auth import AuthErrorCode
from rix_auth.result import Result

RULE = "-" * 40


def fail(result: Result[object]) -> int:
    error = result.error
    assert error is not None
    print("auth error:", rix_auth.error.to_string(error), error.message, file=sys.stderr)
    return 1


def open_auth(store: str) -> rix_auth.Auth:
    if store == "memory":
        return rix_auth.memory()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
    import django

    django.setup()
    return rix_auth.database()


def main(store: str) -> int:
    print(f"({store} store)")
    print("== rix/auth sessions ==")
    auth = open_auth(store)
    registered = auth.register_user("grace@example.com", "correct-password")
    if registered.failed and not rix_auth.error.is_(registered.error, AuthErrorCode.USER_ALREADY_EXISTS):
        return fail(registered)
    login = auth.login("grace@example.com", "correct-password")
    if login.failed:
        return fail(login)
    session_id = login.value.session.id
    print("created session:", session_id)
    print("user id:", login.value.session.user_id)
    print("created at:", login.value.session.created_at.isoformat())
    print("expires at:", login.value.session.expires_at.isoformat())

    session = auth.authenticate_session(session_id)
    if session.failed:
        return fail(session)
    print(RULE)
    print("OK:", "session authenticated")
    print("session user id:", session.value.user_id)

    refreshed = auth.refresh_session(session_id)
    if refreshed.failed:
        return fail(refreshed)
    print(RULE)
    print("OK:", "session refreshed")
    print("new expires at:", refreshed.value.expires_at.isoformat())
    print("last seen at:", refreshed.value.last_seen_at.isoformat())

    logout = auth.logout(session_id)
    if logout.failed:
        return fail(logout)
    print(RULE)
    print("OK:", "logout successful")

    if auth.authenticate_session(session_id).ok:
        print("ERROR:", "session should not authenticate after logout", file=sys.stderr)
        return 1
    print("session rejected after logout")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "memory"))
