# Ieum — everyday commands.
#
#   make run              install, migrate, seed the demo data, serve on http://127.0.0.1:5000 (SQLite)
#   make test             the whole suite on SQLite, then again on PostgreSQL (xdist: -n auto)
#   make test DB=sqlite   SQLite only (no PostgreSQL needed)
#   make lint             ruff, the import contracts of .importlinter (lint-imports), and bandit
#                         (medium severity and above) over app/ programs/ centers/
#
# PostgreSQL for the second test run comes from TEST_DATABASE_URL (default below); each xdist
# worker uses its own database next to it (<name>_gw0, <name>_gw1, …, created when missing).
# Extra pytest arguments: make test PYTEST_ARGS="-k attendance -x"; one process: make test XDIST=

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
DB ?= all
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
XDIST ?= -n auto
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check --quiet

.PHONY: help venv venv-dev node translations run test test-sqlite test-postgres lint

help:
	@sed -n '2,10p' Makefile | sed 's/^# \{0,1\}//'

# --- environments ----------------------------------------------------------------------------
# The stamps record when the requirement files were last installed: pip runs again only when
# a requirement file is newer than its stamp (or the venv is new).

venv: $(VENV)/.installed-runtime
venv-dev: $(VENV)/.installed-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

# Node tools for the tests (axe-core, ical.js, jsonwebtoken); reinstalled when the lock changes.
node: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@if ! command -v npm >/dev/null; then \
	  echo "npm not found: node test tools not installed (browser tests will skip)"; exit 0; fi; \
	npm ci --no-audit --no-fund --loglevel=error

# --- app -------------------------------------------------------------------------------------

translations: venv
	@if [ -d translations ] && find translations -name '*.po' | grep -q .; then \
	  $(BIN)/pybabel -q compile -d translations -f; \
	else echo "no translations to compile"; fi

run: venv translations
	$(FLASK) db upgrade
	$(FLASK) demo seed
	$(FLASK) run --host 127.0.0.1 --port 5000

# --- checks ----------------------------------------------------------------------------------

test: test-sqlite
ifneq ($(DB),sqlite)
test: test-postgres
test-postgres: test-sqlite
endif

test-sqlite: venv-dev node translations
	@echo "== tests on SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

test-postgres: venv-dev node translations
	@echo "== tests on PostgreSQL ($(TEST_DATABASE_URL)) =="
	TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/bandit -q -r app programs centers --severity-level medium
