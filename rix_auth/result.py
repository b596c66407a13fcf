"""The value-or-error object every Auth operation returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rix_auth.error import AuthError

T = TypeVar("T", covariant=True)  # a Result[Session] is a Result[object]
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Result(Generic[T]):
    """Either a value (``ok``) or an :class:`AuthError` (``failed``).

    Reading ``value`` of a failed result raises its error, so a caller that
    forgets to check can never mistake a failure for a session.
    """

    _value: T | None = None
    error: AuthError | None = None

    @staticmethod
    def success(value: V) -> Result[V]:
        return Result(_value=value)

    @staticmethod
    def failure(error: AuthError) -> Result[Any]:
        return Result(error=error)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def map(self, function: Callable[[T], V]) -> Result[V]:
        """The value passed through ``function``; a failure stays the same failure."""
        if self.error is not None:
            return Result.failure(self.error)
        return Result.success(function(self._value))  # type: ignore[arg-type]

    @property
    def value(self) -> T:
        if self.error is not None:
            raise self.error
        return self._value  # type: ignore[return-value]

    def __repr__(self) -> str:
        if self.error is not None:
            return f"Result(error={self.error!r})"
        return f"Result(value={self._value!r})"
