# welfarelab — `make run` sets up and starts the platform; `make test` runs every check and test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
WL := $(BIN)/python -m welfarelab
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run setup install vendor migrate data messages static check test test-fast e2e format clean

run: setup ## set up (idempotent) and start the server on http://127.0.0.1:8000
	$(WL) runserver $(HOST):$(PORT)

setup: install vendor migrate data messages static

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11+ is needed (python3.11 not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

vendor: welfarelab/static/vendor/manifest.json
welfarelab/static/vendor/manifest.json: node_modules/.installed $(VENV)/.installed scripts/vendor_assets.py
	$(BIN)/python scripts/vendor_assets.py

migrate: install
	$(WL) migrate --no-input --verbosity 0

data: install ## load the bundled open data (skipped when already loaded)
	$(WL) load-open-data

messages: install
	$(WL) compilemessages --ignore=.venv --ignore=node_modules --verbosity 0

static: install vendor
	$(WL) collectstatic --no-input --verbosity 0

check: install ## linters, types, architecture contracts, migrations and translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy welfarelab
	$(BIN)/lint-imports
	$(WL) makemigrations --check --dry-run --verbosity 0
	msgfmt --check --output-file=/dev/null welfarelab/locale/it/LC_MESSAGES/django.po
	msgfmt --check --output-file=/dev/null welfarelab/locale/en/LC_MESSAGES/django.po

test: vendor messages check ## every check, then every test (browser tests included)
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install ## the tests without the browser and the national data
	$(BIN)/pytest -m "not e2e and not national" $(PYTEST_ARGS)

e2e: vendor messages
	$(BIN)/pytest -m e2e $(PYTEST_ARGS)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var welfarelab/static/vendor node_modules $(VENV)
