# The two commands a newcomer needs are `make run` and `make test`; the rest are helpers.
# Every target works on a fresh clone: it creates .venv with the machine's Python 3.11 and
# installs the project (with the dev extra) only when pyproject.toml changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Touched after a successful install; older than pyproject.toml means "install again".
STAMP := $(VENV)/.installed-pyproject
MANAGE := $(BIN)/python manage.py
PORT ?= 8000

.PHONY: help venv run serve test lint fmt css bench clean chromium system-packages backup restore

help:
	@echo "make run    set up the database, demo accounts and seed documents, then serve on PORT ($(PORT))"
	@echo "make test   lint, format check and the test suite"
	@echo "make backup              write a backup of the database and uploaded files; prints its path"
	@echo "make restore BACKUP=PATH  restore a backup into an empty database"
	@echo "make lint | fmt | css | bench | clean"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "Installing the project and its dev tools into $(VENV) (pyproject.toml changed)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) setup_roles
	@if $(MANAGE) help --commands | grep -qx load_seed_documents; then \
	  $(MANAGE) load_seed_documents; \
	else \
	  echo "load_seed_documents is not available yet: starting without the seed documents"; \
	fi
	$(MANAGE) create_demo_accounts --only-if-embedded --port $(PORT)
	$(MANAGE) collectstatic --noinput --verbosity 0
	@if [ -z "$${DATABASE_URL:-}" ] && [ -f var/demo-password ]; then \
	  echo "Sign in at http://127.0.0.1:$(PORT)/accounts/login/ as official, secretariat, member or admin"; \
	  echo "with the password in var/demo-password (printed above)."; \
	fi
	@$(MAKE) --no-print-directory serve

# Web, Celery worker and Celery beat together (Procfile). honcho stops all three on Ctrl-C or
# SIGTERM; exec hands it the shell's place so the signal reaches it directly.
serve: $(STAMP)
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops the web server, worker and beat)"
	PATH="$(BIN):$$PATH" PORT=$(PORT) exec $(BIN)/honcho --procfile Procfile start --port $(PORT)

# Debian packages the tests and exports use: Chromium for the browser tests (driven by
# Playwright from /usr/bin/chromium, so `playwright install` is never run), fonts with Arial's
# metrics and HarfBuzz's subsetter for WeasyPrint's PDFs, GNU gettext for the test that every
# interface string has Welsh. Only missing ones are installed;
# without root or apt-get this fails softly: the browser tests say why they skip and PDFs fall
# back to DejaVu Sans.
SYSTEM_PACKAGES := chromium fonts-liberation2 libharfbuzz-subset0 gettext

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages: $$missing"; \
	  (apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing) \
	    || echo "make: could not install $$missing; browser tests will skip, PDFs use DejaVu Sans"; \
	fi

chromium: system-packages

test: $(STAMP) system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

css:
	frontend/build.sh

# Benchmarks on the embedded default, then on PostgreSQL + Redis when both answer on this
# machine (the servers CI uses); one report per configuration in bench-reports/.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/wrc_bench
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/6

bench: $(STAMP)
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/python bench/run.py
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null \
	  && redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then \
	  DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) \
	    $(BIN)/python bench/run.py; \
	else \
	  echo "bench: PostgreSQL or Redis is not running on 127.0.0.1; only the embedded default was measured"; \
	fi

# The database (SQLite's online backup, or pg_dump -Fc with DATABASE_URL) and MEDIA_ROOT in one
# .tar.gz. `make backup` prints only the path it wrote; OUTPUT=PATH chooses it.
backup: $(STAMP)
	@$(MANAGE) backup $(if $(OUTPUT),--output "$(OUTPUT)")

# Into an empty database and MEDIA_ROOT only; a database with tables is refused.
restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "make restore: name the backup, e.g. make restore BACKUP=var/backups/wrc-….tar.gz" >&2; exit 2; }
	@$(MANAGE) restore "$(BACKUP)"

clean:
	rm -rf $(VENV) var/staticfiles build *.egg-info .pytest_cache .ruff_cache
	find . -path ./node_modules -prune -o -path ./frontend/node_modules -prune -o \
	  -name __pycache__ -type d -prune -exec rm -rf {} +
