"""Helpers that send rix_auth's signals the same way from every operation."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from rix_auth import signals
from rix_auth.result import Result
from rix_auth.session import Session

T = TypeVar("T")


def revoked_now(sender: type, revoked: Session, now: datetime, reason: str) -> bool:
    """Signal a revocation this call made (not one that had already happened); say which it was."""
    if (revoked.revoked_at, revoked.revoke_reason) != (now, reason):
        return False
    signals.session_revoked.send_robust(
        sender, user_id=revoked.user_id, reason=reason, count=1, public_id=revoked.public_id
    )
    return True


def reported(sender: type, result: Result[T], operation: str) -> Result[T]:
    """Pass ``result`` through, signalling ``authentication_failed`` (the code only) if it failed."""
    if result.error is not None:
        signals.authentication_failed.send_robust(sender, code=result.error.code, operation=operation)
    return result
