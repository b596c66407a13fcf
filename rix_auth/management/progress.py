"""How far a purge has got: rows deleted, rate and time elapsed."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.management.base import OutputWrapper


class Progress:
    """Rewritten in place on a terminal; one line per step when ``every_step`` (``--verbosity 2``)
    elsewhere; silent otherwise, so logs and pipes only get the summary."""

    def __init__(self, out: OutputWrapper, style: Callable[[str], str], *, every_step: bool) -> None:
        self.out, self.style, self.started = out, style, time.monotonic()
        self.in_place = out.isatty()
        self.shown, self.pending_newline = self.in_place or every_step, False

    def step(self, done: int) -> None:
        if not self.shown:
            return
        elapsed = time.monotonic() - self.started
        rate = f"{done / elapsed:,.0f}/s" if elapsed > 0 else "-/s"
        line = f"deleted {done:,} session(s), {rate}, {elapsed:.1f} s elapsed"
        self.out.write(f"\r{line}" if self.in_place else line, self.style, ending="" if self.in_place else "\n")
        self.out.flush()
        self.pending_newline = self.in_place

    def finish(self) -> None:
        """Ends a line rewritten in place, so what follows starts on its own line."""
        if self.pending_newline:
            self.out.write("")
