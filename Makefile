# Tocsin: one command per habit. `make help` lists them; CI calls the same targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CSS := src/tocsin/server/web/static/tocsin/build/tocsin.css
PYTEST_ARGS ?= --durations=25
# e.g. BENCH_ARGS="--only ledger"; TOCSIN_BENCH_BASELINE_REV=<rev> also verifies with that revision.
BENCH_ARGS ?=
# e.g. MUTMUT_ARGS="--max-children 1 'tocsin.server.verify*'": fewer workers, or only some mutants.
MUTMUT_ARGS ?=
# Compiled translations of the public reporting pages (docs/web.md); apt needs root, or sudo.
MO := $(patsubst %.po,%.mo,$(wildcard src/tocsin/server/web/locale/*/LC_MESSAGES/django.po))
APT := $(if $(filter 0,$(shell id -u)),,sudo) apt-get -o DPkg::Lock::Timeout=600

.PHONY: help setup chromium pdf-libraries demo test test-sqlite test-postgres lint migrations-check format bench mutation docs clean

help: ## List the targets and what they do
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	@touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(CSS): node_modules/.installed frontend/tocsin.scss frontend/copy-assets.mjs
	npm run --silent build

%.mo: %.po
	@command -v msgfmt >/dev/null || { $(APT) update && $(APT) install -y gettext; }
	msgfmt --check-format -o $@ $<

chromium: ## Install Debian's Chromium for the browser tests, unless it is already there
	@command -v chromium >/dev/null || { $(APT) update && $(APT) install -y chromium; }

pdf-libraries: ## Install what WeasyPrint needs to draw PDFs (Pango, fonts) and pdftoppm for the PDF tests, unless already there
	@{ ldconfig -p | grep -q libpangoft2-1.0.so.0 && test -d /usr/share/fonts/truetype/liberation2 && command -v pdftoppm >/dev/null; } \
		|| { $(APT) update && $(APT) install -y libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2 poppler-utils; }

setup: $(STAMP) $(CSS) $(MO) chromium pdf-libraries ## Install everything Tocsin needs (.venv, npm packages, compiled CSS, translations, Chromium)

demo: setup ## Build a synthetic partnership into ./var and serve it on http://127.0.0.1:8000
	$(BIN)/tocsin demo

test: setup ## Run the whole suite on SQLite, and at the same time on PostgreSQL if TOCSIN_TEST_POSTGRES_URL is set
	@if [ -n "$$TOCSIN_TEST_POSTGRES_URL" ]; then \
		log=$$(mktemp); \
		echo "== the PostgreSQL half runs alongside the SQLite half; its output follows when both end =="; \
		TOCSIN_TEST_HALF=postgresql $(MAKE) --no-print-directory test-postgres >$$log 2>&1 & postgres=$$!; \
		TOCSIN_TEST_HALF=sqlite $(MAKE) --no-print-directory test-sqlite; sqlite_status=$$?; \
		wait $$postgres; postgres_status=$$?; cat $$log; rm -f $$log; \
		echo "== SQLite half: exit $$sqlite_status; PostgreSQL half: exit $$postgres_status =="; \
		test $$sqlite_status -eq 0 && test $$postgres_status -eq 0; \
	else \
		$(MAKE) --no-print-directory test-sqlite || exit 1; \
		echo "PostgreSQL run SKIPPED: set TOCSIN_TEST_POSTGRES_URL=postgresql://USER@HOST:PORT/DB to run the suite against PostgreSQL too."; \
	fi

test-sqlite: setup ## Run the suite on SQLite only
	@echo "== test suite on SQLite =="
	@home=$$(mktemp -d) && TOCSIN_HOME=$$home DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS); status=$$?; rm -rf $$home; exit $$status

test-postgres: setup ## Run the suite on the PostgreSQL server named by TOCSIN_TEST_POSTGRES_URL
	@test -n "$$TOCSIN_TEST_POSTGRES_URL" || { echo "set TOCSIN_TEST_POSTGRES_URL first"; exit 2; }
	@echo "== test suite on PostgreSQL =="
	@home=$$(mktemp -d) && TOCSIN_HOME=$$home DATABASE_URL=$$TOCSIN_TEST_POSTGRES_URL $(BIN)/pytest $(PYTEST_ARGS); status=$$?; rm -rf $$home; exit $$status

lint: setup ## Check style (ruff), types (mypy) and security (bandit; exceptions in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r src

migrations-check: setup ## Fail if a model changed without its migration (makemigrations --check)
	@home=$$(mktemp -d) && TOCSIN_HOME=$$home DATABASE_URL= DJANGO_SETTINGS_MODULE=tocsin.server.settings \
		$(BIN)/python -m django makemigrations --check --dry-run; status=$$?; rm -rf $$home; exit $$status

format: setup ## Rewrite the code in the house style (ruff)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(VENV)/.bench-installed: pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,spark,bench]'
	@touch $@

bench: setup $(VENV)/.bench-installed ## Run the benchmarks and write their figures to docs/benchmarks.md
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

mutation: setup ## Mutation-test the ledger, verification and the gates (mutmut; slow: about an hour on 2 cores)
	@home=$$(mktemp -d) && TOCSIN_HOME=$$home DATABASE_URL= $(BIN)/mutmut run $(MUTMUT_ARGS); status=$$?; rm -rf $$home; \
		$(BIN)/mutmut export-cicd-stats && cat mutants/mutmut-cicd-stats.json; exit $$status

docs: setup ## Regenerate the reference docs (settings, events, CLI) from the code
	$(BIN)/python -m tocsin.server.docs

clean: ## Remove the virtual environment, npm packages, built assets and local state (./var)
	rm -rf $(VENV) node_modules var src/tocsin/server/web/static/tocsin/build
