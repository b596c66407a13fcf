# Everything a fresh machine needs: `make demo`, `make test`.
PYTHON ?= python3
VENV ?= .venv
DJANGO ?= Django>=5.2,<5.3
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PORT ?= 8000

.PHONY: demo test test-django6 lint check-migrations run bench bench-postgres clean

$(BIN)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]' '$(DJANGO)'
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

# SQLite always; PostgreSQL when reachable (mandatory under CI=true); then Django 6.
test: lint check-migrations
	$(BIN)/pytest
	@if $(BIN)/python scripts/postgres_available.py; then \
		echo "== PostgreSQL leg =="; RIX_AUTH_TEST_DATABASE=postgres $(BIN)/pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable and CI=true requires it" >&2; exit 1; \
	else \
		echo "!! PostgreSQL not reachable: its leg is skipped (set PGHOST/PGPORT/PGUSER)"; \
	fi
	@if [ -z "$(SKIP_DJANGO6)" ]; then $(MAKE) --no-print-directory test-django6; fi

# The newest Django on the newest Python >= 3.12 found here; skipped loudly if none.
test-django6:
	@py=$$(scripts/newest_python.sh); \
	if [ -z "$$py" ]; then \
		echo "!! SKIPPED: no Python >= 3.12 on this machine, so the Django 6 leg cannot run"; \
	else \
		echo "== Django 6 leg on $$($$py --version) =="; \
		$(MAKE) --no-print-directory test PYTHON=$$py VENV=.venv-django6 'DJANGO=Django>=6,<7' SKIP_DJANGO6=1; \
	fi

# Authenticated requests (rix_auth, and Django's own sessions + auth) vs a view with one
# hand-written indexed SELECT (see scripts/bench.py).
bench: $(BIN)/.installed
	$(BIN)/python -m scripts.bench

bench-postgres: $(BIN)/.installed
	RIX_AUTH_TEST_DATABASE=postgres $(BIN)/python -m scripts.bench

# The example site on http://127.0.0.1:$(PORT) (`make run PORT=8001`; SQLite unless DATABASE_URL is set).
run: $(BIN)/.installed
	$(BIN)/python manage.py migrate --verbosity 0
	@echo "== The example site: http://127.0.0.1:$(PORT)/ =="
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

clean:
	rm -rf .venv .venv-django6 example_project/db.sqlite3
