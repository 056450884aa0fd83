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

.PHONY: help venv run serve test lint fmt css bench clean chromium

help:
	@echo "make run    set up the database, demo accounts and seed documents, then serve on PORT ($(PORT))"
	@echo "make test   lint, format check and the test suite"
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

# Debian's Chromium for the browser tests (tests/browser), installed when missing. Playwright
# drives it directly, so `playwright install` is never run. Without root or apt-get the install
# fails softly and the browser tests say why they skip.
chromium:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium) \
	  || echo "make: chromium could not be installed; the browser tests will skip"

test: $(STAMP) chromium
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

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var/staticfiles build *.egg-info .pytest_cache .ruff_cache
	find . -path ./node_modules -prune -o -path ./frontend/node_modules -prune -o \
	  -name __pycache__ -type d -prune -exec rm -rf {} +
