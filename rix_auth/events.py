"""Helpers that send rix_auth's signals the same way from every operation."""

from __future__ import annotations

from typing import TypeVar

from rix_auth import signals
from rix_auth.result import Result
from rix_auth.session import Revocation

T = TypeVar("T")


def revoked(sender: type, revocation: Revocation) -> Revocation:
    """Signal a revocation this call made (not one that had already happened); pass it through."""
    if revocation.revoked_now:
        session = revocation.session
        signals.session_revoked.send_robust(
            sender, user_id=session.user_id, reason=session.revoke_reason, count=1, public_id=session.public_id
        )
    return revocation


def reported(sender: type, result: Result[T], operation: str) -> Result[T]:
    """Pass ``result`` through, signalling ``authentication_failed`` (the code only) if it failed."""
    if result.error is not None:
        signals.authentication_failed.send_robust(sender, code=result.error.code, operation=operation)
    return result
