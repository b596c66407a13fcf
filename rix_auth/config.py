"""Auth configuration: session lifetimes and password-hashing cost.

Two presets exist. ``development()`` keeps sessions for seven days with no
absolute cap. ``production()`` is stricter: a session idles out after
24 hours without a refresh and can never outlive 30 days from its login,
however often it is refreshed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DAY = 24 * 60 * 60


@dataclass(frozen=True, slots=True)
class Argon2Parameters:
    """Argon2id cost for the memory user store (RFC 9106 low-memory profile by default).

    The database store hashes through Django's ``PASSWORD_HASHERS`` instead.
    """

    time_cost: int = 3
    memory_cost_kib: int = 64 * 1024
    parallelism: int = 4


@dataclass(slots=True)
class AuthConfig:
    """Mutable settings an :class:`~rix_auth.service.Auth` reads at each operation."""

    preset: str = "development"
    _session_ttl_seconds: int = 7 * DAY
    _absolute_lifetime_seconds: int | None = None
    _max_sessions_per_user: int | None = None
    argon2: Argon2Parameters = field(default_factory=Argon2Parameters)

    @property
    def session_ttl_seconds(self) -> int:
        """How long a session lives after login or its last refresh."""
        return self._session_ttl_seconds

    def set_session_ttl_seconds(self, seconds: int) -> AuthConfig:
        self._session_ttl_seconds = _positive(seconds, "The session TTL in seconds")
        return self

    @property
    def absolute_lifetime_seconds(self) -> int | None:
        """The cap on a session's age, refreshes included; ``None`` for no cap."""
        return self._absolute_lifetime_seconds

    def set_absolute_lifetime_seconds(self, seconds: int | None) -> AuthConfig:
        name = "The absolute lifetime in seconds"
        self._absolute_lifetime_seconds = None if seconds is None else _positive(seconds, name)
        return self

    @property
    def max_sessions_per_user(self) -> int | None:
        """Live sessions a user may hold; a login beyond it revokes the oldest."""
        return self._max_sessions_per_user

    def set_max_sessions_per_user(self, count: int | None) -> AuthConfig:
        name = "The maximum number of sessions per user"
        self._max_sessions_per_user = None if count is None else _positive(count, name)
        return self

    def set_argon2_parameters(self, parameters: Argon2Parameters) -> AuthConfig:
        self.argon2 = parameters
        return self


def _positive(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}.")
    return value


def development() -> AuthConfig:
    """Seven-day sessions, no absolute cap: comfortable for local work and examples."""
    return AuthConfig(preset="development")


def production() -> AuthConfig:
    """24-hour idle timeout, 30-day absolute cap."""
    return AuthConfig(preset="production", _session_ttl_seconds=DAY, _absolute_lifetime_seconds=30 * DAY)


def preset(name: str) -> AuthConfig:
    """The preset called ``name`` (``"development"`` or ``"production"``)."""
    presets = {"development": development, "production": production}
    if name not in presets:
        raise ValueError(f"Unknown rix_auth preset {name!r}; use 'development' or 'production'.")
    return presets[name]()
