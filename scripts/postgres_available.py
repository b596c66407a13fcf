"""Exit 0 when the test PostgreSQL server answers, 1 otherwise."""

import os
import sys

import psycopg

try:
    psycopg.connect(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=os.environ.get("PGPORT", "5432"),
        user=os.environ.get("PGUSER", "postgres"),
        password=os.environ.get("PGPASSWORD", ""),
        dbname=os.environ.get("PGDATABASE", "test"),
        connect_timeout=3,
    ).close()
except psycopg.OperationalError as error:
    print(f"PostgreSQL: {error}".strip(), file=sys.stderr)
    sys.exit(1)
