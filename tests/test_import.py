"""The core is usable in a plain script: no Django settings, no database."""

import subprocess
import sys
import textwrap


def test_the_memory_flow_runs_in_a_script_without_django_settings() -> None:
    script = textwrap.dedent(
        """
        import os, sys
        assert "DJANGO_SETTINGS_MODULE" not in os.environ
        import rix_auth
        auth = rix_auth.memory(rix_auth.config.development().set_session_ttl_seconds(60))
        assert auth.register_user("grace@example.com", "correct-password").ok
        session = auth.login("grace@example.com", "correct-password").value.session
        assert auth.authenticate_session(session.id).ok
        assert auth.logout(session.id).ok
        assert rix_auth.error.to_string(auth.authenticate_session(session.id).error) == "session_revoked"
        assert "rix_auth.models" not in sys.modules and "django.db.models" not in sys.modules
        print("ok")
        """
    )
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


def test_the_public_facade_names_the_whole_api() -> None:
    import rix_auth

    for name in ("memory", "database", "config", "stores", "error", "AuthErrorCode", "AuthError", "Result"):
        assert hasattr(rix_auth, name), name
    for name in ("memory_sessions", "database_sessions"):
        assert callable(getattr(rix_auth.stores, name))
    assert callable(rix_auth.config.development) and callable(rix_auth.config.production)
