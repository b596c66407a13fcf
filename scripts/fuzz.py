"""A longer schemathesis run than the one ``make test`` makes, on the same test database setup.

    .venv/bin/python -m scripts.fuzz                     # 200 examples per operation, SQLite
    .venv/bin/python -m scripts.fuzz --examples 1000
    RIX_AUTH_TEST_DATABASE=postgres RIX_AUTH_TEST_DB_SUFFIX=_fuzz .venv/bin/python -m scripts.fuzz

It runs ``tests/test_schemathesis.py`` through pytest (which builds the test database) with
``RIX_AUTH_FUZZ_EXAMPLES`` raised, and prints the run's summary: operations, examples, checks,
failures and time. The seed stays fixed, so a failure found here is found again.
"""

from __future__ import annotations

import argparse
import os

import pytest

DEFAULT_EXAMPLES = 200


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES, help="examples per operation")
    arguments = parser.parse_args()
    os.environ["RIX_AUTH_FUZZ_EXAMPLES"] = str(arguments.examples)
    return int(pytest.main(["tests/test_schemathesis.py", "-q", "-s", "-p", "no:cacheprovider"]))


if __name__ == "__main__":
    raise SystemExit(main())
