# Township Social Work Station Portal: everyday commands. `make help` lists them.
#
# Every target that needs the environment depends on `setup` (scripts/setup.sh), which is quick when
# nothing changed. Database and broker come from the environment (see README.md): with nothing set,
# an embedded SQLite database in var/ and Celery tasks run in-process.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py
RUN_ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# make test runs the suite in parallel, one pytest-xdist worker per core, each on its own test database; a test
# module stays on one worker (--dist loadfile), so the demo a module loads once is loaded once.
TEST_WORKERS ?= auto
LOG_LEVEL ?= info

.PHONY: help setup run test lint format migrate seed worker beat

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: ## Install what is missing: Debian packages, .venv, front-end assets, PDF font, translations
	bash scripts/setup.sh

migrate: setup ## Apply the database migrations
	$(MANAGE) migrate --noinput

seed: migrate ## Load the demo data (idempotent) and print the demo accounts
	$(MANAGE) seed_demo

run: seed ## Set up, migrate, seed and serve the portal on http://$(RUN_ADDR)
	$(MANAGE) runserver $(RUN_ADDR)

test: setup ## Run the test suite in parallel; narrow it with PYTEST_ARGS="-k scope -x", TEST_WORKERS=0 for one process
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: setup ## ruff lint and format check, Django system checks, missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

format: setup ## Apply ruff's safe fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Without CELERY_BROKER_URL tasks run inside the web process, and Celery's own default broker would
# be some other server's: refuse rather than start a worker that never receives anything.
define require_broker
	@test -n "$$CELERY_BROKER_URL" || { \
		echo "Set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0) for the web process and this one;" >&2; \
		echo "without it tasks run in-process and no worker or beat is needed." >&2; exit 2; }
endef

# One worker for both queues in development; docker-compose.yml runs one per queue.
WORKER_QUEUES ?= celery,reports

worker: migrate ## Celery worker of the default and reports queues (needs CELERY_BROKER_URL)
	$(require_broker)
	$(VENV)/bin/celery -A config worker -Q $(WORKER_QUEUES) --loglevel=$(LOG_LEVEL)

beat: migrate ## Celery beat with the database scheduler (needs CELERY_BROKER_URL)
	$(require_broker)
	$(VENV)/bin/celery -A config beat --loglevel=$(LOG_LEVEL)
