"""Run schemathesis against the JSON API in this process, through Django's WSGI handler.

Every phase runs (examples, coverage, fuzzing, and the stateful one that follows the document's
links from register to login to the session's uses), with every built-in check but
``ignored_auth``: its probe sends ``Bearer SCHEMATHESIS-INVALID-VALUE`` and expects 401 or 403,
while rix_auth refuses an id of the wrong shape as 400 ``invalid_input`` (documented, and tested in
test_openapi.py together with the 401 for a request without credentials). The seed is fixed and
generation deterministic, so two runs send the same requests. ``RIX_AUTH_FUZZ_EXAMPLES`` raises
the number of examples per operation for longer runs.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from schemathesis import AuthContext, Case
from schemathesis.engine import events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.generation.meta import TestPhase

from rix_auth.conf import THROTTLE_LIMITS, get_auth, settings
from tests.conftest import EMAIL, PASSWORD

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

SEED = 20_261_128
DEFAULT_EXAMPLES = 20  # about 5 s on SQLite, 12 s on PostgreSQL; more under load
# Where a schema-valid request may still get 400, and why:
# - registration applies the project's email and password rules (AUTH_PASSWORD_VALIDATORS, Django's
#   email validator), which no JSON Schema states;
# - a session id that is not "session_" + 43 URL-safe characters is invalid_input, and a security
#   scheme cannot state a shape, so schemathesis sends such ids as valid credentials.
SECURED = ["whoami", "refresh", "reauthenticate", "logout", "logout-all", "sessions", "revoke"]
ALSO_400 = ["register", "whoami", "refresh", "reauthenticate", "logout", "logout-all", "sessions", "revoke"]
ACCEPTED = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
# Fuzzing logs in thousands of times from one address: limits it would hit at once would turn every
# later answer into 429. The throttle still runs, and its 429 stays in the document.
GENEROUS_LIMITS = dict.fromkeys(THROTTLE_LIMITS, (1_000_000, 60))


def examples() -> int:
    return int(os.environ.get("RIX_AUTH_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))


def config(max_examples: int) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": max_examples, "deterministic": True, "database": "none"},
            "checks": {"enabled": True, "ignored_auth": {"enabled": False}},
            "operations": [
                {
                    "include-operation-id": ALSO_400,
                    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
                }
            ],
        }
    )


@dataclass
class Report:
    """What a run did: the numbers the closing note records, and every problem it found."""

    operations: set[str] = field(default_factory=set)
    examples: int = 0
    checks: Counter[str] = field(default_factory=Counter)
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)  # (operation, status): how many
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, recorder: ScenarioRecorder) -> None:
        self.examples += len(recorder.cases)
        for case_id, interaction in recorder.interactions.items():
            if interaction.response is not None:
                operation = recorder.cases[case_id].value.operation.label
                self.answers[operation, interaction.response.status_code] += 1
        for nodes in recorder.checks.values():
            for node in nodes:
                self.checks[node.name] += 1
                if node.failure_info is not None:
                    failure, sample = node.failure_info.failure, node.failure_info.code_sample
                    self.failures.append(f"{recorder.label}: {failure.title}\n{failure.message}\n{sample}")

    def succeeded(self) -> set[str]:
        """The operations that answered 2xx at least once."""
        return {operation for operation, status in self.answers if 200 <= status < 300}

    def summary(self) -> str:
        return (
            f"{len(self.operations)} operations, {self.examples} examples, {sum(self.checks.values())} checks "
            f"({len(self.checks)} kinds), {len(self.failures)} failures, {len(self.errors)} errors, "
            f"{self.seconds:.1f} s"
        )


def closing(app: WSGIApplication) -> WSGIApplication:
    """``app``, closing each response once read, as a WSGI server does: Django then sends
    ``request_finished``, which closes the database connection of the engine's thread."""

    def call(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            getattr(response, "close", lambda: None)()

    return call


class FreshSession:
    """A new session of the fuzzing user for every case, so each one can reach the view
    (and a logout in one case does not refuse the next). Stateful cases keep the session
    the document's links carry from login."""

    def get(self, case: Case[Any], ctx: AuthContext) -> str | None:
        if case.meta is not None and case.meta.phase.name is TestPhase.STATEFUL:
            return None
        try:
            result = get_auth().login(EMAIL, PASSWORD)
        finally:
            close_old_connections()  # as a request would: the engine's thread opened it
        assert result.error is None, result.error
        return result.value.session.id

    def set(self, case: Case[Any], data: str, ctx: AuthContext) -> None:
        case.headers["Authorization"] = f"{settings.header_scheme} {data}"


def run(path: str, max_examples: int) -> Report:
    """Load the document from ``path`` of the WSGI app, then test every operation it lists."""
    schema = schemathesis.openapi.from_wsgi(path, closing(WSGIHandler()), config=config(max_examples))
    assert get_auth().register_user(EMAIL, PASSWORD).error is None
    schema.auth(refresh_interval=None).apply_to(operation_id=SECURED)(FreshSession)
    report, started = Report(), time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            report.operations.add(event.recorder.label)
            report.add(event.recorder)
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            report.errors.append(repr(event.exception))
    report.seconds = time.monotonic() - started
    return report
