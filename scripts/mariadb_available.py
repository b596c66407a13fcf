"""Exit 0 when the MariaDB (or MySQL) server the tests use with ``RIX_AUTH_TEST_DATABASE=mysql``
answers, 1 otherwise, also when mysqlclient (the ``rix-auth[mysql]`` extra) is missing.

    python -m scripts.mariadb_available      # from the repository root
"""

from __future__ import annotations

import os
import sys

from tests.settings_databases import chosen_databases


def main() -> int:
    try:
        import MySQLdb  # type: ignore[import-untyped]  # mysqlclient ships no type hints
    except ImportError:
        print("MariaDB: mysqlclient is not installed (pip install -e '.[mysql]')", file=sys.stderr)
        return 1
    server = chosen_databases({**os.environ, "RIX_AUTH_TEST_DATABASE": "mysql"})["default"]
    try:
        MySQLdb.connect(
            host=server["HOST"], port=int(server["PORT"]), user=server["USER"], password=server["PASSWORD"],
            database=server["NAME"], connect_timeout=3,
        ).close()  # fmt: skip
    except MySQLdb.OperationalError as error:
        print(f"MariaDB: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
