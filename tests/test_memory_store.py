"""Memory-store specifics: ids, thread safety, hash upgrades."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import rix_auth
from rix_auth.config import Argon2Parameters
from rix_auth.stores.memory import MemoryUserStore

EMAIL, PASSWORD = "grace@example.com", "correct-password"
CHEAP = Argon2Parameters(time_cost=1, memory_cost_kib=1024, parallelism=1)


def cheap_auth() -> rix_auth.Auth:
    return rix_auth.memory(rix_auth.config.development().set_argon2_parameters(CHEAP))


def test_memory_user_ids_are_prefixed() -> None:
    user = cheap_auth().register_user(EMAIL, PASSWORD).value
    assert isinstance(user.id, str) and user.id.startswith("user_")


def test_threads_logging_in_and_out_at_once_lose_nothing() -> None:
    auth = cheap_auth()
    user_id = auth.register_user(EMAIL, PASSWORD).value.id

    def login_then_maybe_logout(n: int) -> tuple[str, bool]:
        session_id = auth.login(EMAIL, PASSWORD).value.session.id
        if n % 2:
            assert auth.logout(session_id).ok
        assert auth.refresh_session(session_id).ok is not bool(n % 2)
        return session_id, bool(n % 2)

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(login_then_maybe_logout, range(40)))
    assert len({session_id for session_id, _ in outcomes}) == 40
    for session_id, logged_out in outcomes:
        assert auth.authenticate_session(session_id).ok is not logged_out
    assert auth.logout_user(user_id).value == 20


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_the_next_login() -> None:
    auth = cheap_auth()
    auth.register_user(EMAIL, PASSWORD)
    users = auth.users
    assert isinstance(users, MemoryUserStore)
    weak = users.find_by_email(EMAIL).password_hash  # type: ignore[union-attr]
    assert "m=1024" in weak and weak.startswith("$argon2id$")
    users.use_parameters(Argon2Parameters(time_cost=2, memory_cost_kib=2048, parallelism=1))
    assert auth.login(EMAIL, "wrong-password").failed
    assert users.find_by_email(EMAIL).password_hash == weak  # type: ignore[union-attr]
    assert auth.login(EMAIL, PASSWORD).ok
    assert "m=2048,t=2" in users.find_by_email(EMAIL).password_hash  # type: ignore[union-attr]
