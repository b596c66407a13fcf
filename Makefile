# Everything a fresh machine needs: `make demo`, `make test`.
PYTHON ?= python3
VENV ?= .venv
DJANGO ?= Django>=5.2,<5.3
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PORT ?= 8000
# mysqlclient builds against MariaDB's (or MySQL's) client headers: the mysql extra only where they are.
MYSQL_EXTRA := $(shell (pkg-config --exists libmariadb || pkg-config --exists mysqlclient) 2>/dev/null && echo ,mysql)

.PHONY: demo test test-django6 lint check-migrations run bench bench-postgres bench-purge bench-cache bench-http soak test-browser docs fuzz messages clean

$(BIN)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres$(MYSQL_EXTRA)]' '$(DJANGO)'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python -m example_project.sessions_demo memory
	@echo
	$(BIN)/python -m example_project.sessions_demo database

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy rix_auth tests example_project scripts manage.py

check-migrations: $(BIN)/.installed
	$(BIN)/python -m django makemigrations rix_auth --check --dry-run --settings tests.settings

# SQLite always; PostgreSQL and MariaDB when reachable (each mandatory under CI=true); then Django 6.
test: lint check-migrations docs
	$(BIN)/pytest
	@if $(BIN)/python scripts/postgres_available.py; then \
		echo "== PostgreSQL leg =="; RIX_AUTH_TEST_DATABASE=postgres $(BIN)/pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable and CI=true requires it" >&2; exit 1; \
	else \
		echo "!! PostgreSQL not reachable: its leg is skipped (set PGHOST/PGPORT/PGUSER)"; \
	fi
	@if $(BIN)/python -m scripts.mariadb_available; then \
		echo "== MariaDB leg =="; RIX_AUTH_TEST_DATABASE=mysql $(BIN)/pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "MariaDB is not reachable and CI=true requires it" >&2; exit 1; \
	else \
		echo "!! MariaDB not reachable: its leg is skipped (set MYSQL_HOST/MYSQL_PORT/MYSQL_USER; needs the mysql extra)"; \
	fi
	@if [ -z "$(SKIP_DJANGO6)" ]; then $(MAKE) --no-print-directory test-browser test-django6; fi

# The documentation site, read afresh (-E) with warnings as errors, into docs/_build/html.
docs: $(BIN)/.installed
	$(BIN)/sphinx-build -E -W --keep-going -q -b html docs docs/_build/html

# The French catalog, after a marked message changed (needs GNU gettext's xgettext and msgfmt).
messages: $(BIN)/.installed
	cd rix_auth && env -u DJANGO_SETTINGS_MODULE ../$(BIN)/django-admin makemessages -l fr --no-obsolete
	cd rix_auth && env -u DJANGO_SETTINGS_MODULE ../$(BIN)/django-admin compilemessages -l fr

# The newest Django on the newest Python >= 3.12 found here; skipped loudly if none.
test-django6:
	@py=$$(scripts/newest_python.sh); \
	if [ -z "$$py" ]; then \
		echo "!! SKIPPED: no Python >= 3.12 on this machine, so the Django 6 leg cannot run"; \
	else \
		echo "== Django 6 leg on $$($$py --version) =="; \
		$(MAKE) --no-print-directory test PYTHON=$$py VENV=.venv-django6 'DJANGO=Django>=6,<7' SKIP_DJANGO6=1; \
	fi

# Two headless Chromium profiles as two devices against a live server (Debian's /usr/bin/chromium and
# /usr/bin/chromedriver); every page checked at 360 px wide; screenshots in var/screenshots/.
# Installs them when missing (as root); elsewhere it skips loudly, and fails only under CI=true.
test-browser: $(BIN)/.installed
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		(apt-get update -qq && apt-get install -y -qq chromium chromium-driver) >/dev/null 2>&1 || true; \
	fi
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
		echo "== Browser tests (Chromium) =="; RIX_AUTH_BROWSER=1 $(BIN)/pytest tests/browser -m browser; \
	elif [ "$$CI" = "true" ]; then \
		echo "chromium and chromium-driver are missing and could not be installed; CI=true requires them" >&2; exit 1; \
	else \
		echo "!! SKIPPED: the browser tests need Debian's chromium and chromium-driver (apt-get install them)"; \
	fi

# Authenticated requests (rix_auth, Django's sessions + auth, DRF with rix_auth or knox) vs a view with one
# hand-written indexed SELECT, among 100,000 rows a table (see scripts/bench.py).
bench: $(BIN)/.installed
	$(BIN)/python -m scripts.bench

bench-postgres: $(BIN)/.installed
	RIX_AUTH_TEST_DATABASE=postgres $(BIN)/python -m scripts.bench

# The example site on http://127.0.0.1:$(PORT) (`make run PORT=8001`; SQLite unless DATABASE_URL is set).
run: $(BIN)/.installed
	$(BIN)/python manage.py migrate --verbosity 0
	@echo "== The example site: http://127.0.0.1:$(PORT)/ =="
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The Redis session cache against the database store: per request in-process, then over HTTP (gunicorn + wrk).
bench-cache: $(BIN)/.installed
	$(BIN)/python -m scripts.bench_cache

bench-http: $(BIN)/.installed
	$(BIN)/python -m scripts.bench_http

# A longer schemathesis run against the JSON API (SQLite; RIX_AUTH_TEST_DATABASE=postgres for PostgreSQL).
FUZZ_EXAMPLES ?= 200
fuzz: $(BIN)/.installed
	$(BIN)/python -m scripts.fuzz --examples $(FUZZ_EXAMPLES)

# Revocations under load: 2 gunicorn workers, 8 client threads, 20,000 requests on PostgreSQL + Redis;
# fails unless no request authenticated a session after its revocation returned, and none got a 5xx.
soak: $(BIN)/.installed
	$(BIN)/python -m scripts.soak

# purge_sessions on 1,000,000 dead rows in a scratch PostgreSQL database: rows/s and peak memory growth.
bench-purge: $(BIN)/.installed
	RIX_AUTH_TEST_DATABASE=postgres $(BIN)/python -m scripts.purge_bench

clean:
	rm -rf .venv .venv-django6 example_project/db.sqlite3
