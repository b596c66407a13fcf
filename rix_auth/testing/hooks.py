"""What a store under test must let the contract suite do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager

from rix_auth.clock import ManualClock
from rix_auth.config import AuthConfig
from rix_auth.service import Auth
from rix_auth.session import UserId


class StoreHooks:
    """Override each method for your store."""

    def make_auth(self, config: AuthConfig, clock: ManualClock) -> Auth:
        """A fresh Auth over empty stores, using ``config`` and ``clock``."""
        raise NotImplementedError

    def stored_values(self, auth: Auth) -> Iterator[str]:
        """Every value the session store holds at rest, as strings: a full dump."""
        raise NotImplementedError

    def deactivate(self, auth: Auth, user_id: UserId) -> None:
        """Mark the user inactive behind Auth's back (no revocation, no signal), as a bulk update would."""
        raise NotImplementedError

    def reactivate(self, auth: Auth, user_id: UserId) -> None:
        """Mark the user active again, as an administrator undoing :meth:`deactivate` would."""
        raise NotImplementedError

    def change_password(self, auth: Auth, user_id: UserId, password: str | None) -> None:
        """Replace the user's password behind Auth's back (``None``: an unusable one),
        as an administrator or a bulk update would: no revocation, no signal."""
        raise NotImplementedError

    def broken(self, auth: Auth) -> AbstractContextManager[None]:
        """While active, every read and write of the session store fails."""
        raise NotImplementedError
