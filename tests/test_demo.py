"""make demo prints the sessions page's expected output, with real ids and timestamps."""

from __future__ import annotations

import re

import pytest

from example_project import sessions_demo

EXPECTED = [
    r"== rix/auth sessions ==",
    r"created session: session_[A-Za-z0-9_-]{43}",
    r"user id: \S+",
    r"created at: \d{4}-\d\d-\d\dT\S+\+00:00",
    r"expires at: \d{4}-\d\d-\d\dT\S+\+00:00",
    r"-{40}",
    r"OK: session authenticated",
    r"session user id: \S+",
    r"-{40}",
    r"OK: session refreshed",
    r"new expires at: \S+",
    r"last seen at: \S+",
    r"-{40}",
    r"OK: logout successful",
    r"session rejected after logout",
]


@pytest.mark.parametrize("store", ["memory", "database"])
@pytest.mark.django_db
def test_the_demo_prints_the_pages_output_on_each_store(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert sessions_demo.main(store) == 0
    assert sessions_demo.main(store) == 0  # a second run reuses the registered user
    lines = capsys.readouterr().out.splitlines()
    run = lines[1 : 1 + len(EXPECTED)]
    assert lines[0] == f"({store} store)"
    for pattern, line in zip(EXPECTED, run, strict=True):
        assert re.fullmatch(pattern, line), (pattern, line)
    user_prefix = "user id: user_" if store == "memory" else "user id: "
    assert run[2].startswith(user_prefix)
