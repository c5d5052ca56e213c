# agentdesk: `make run` serves the demo, `make test` runs every suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Only folders that exist: git keeps no empty ones.
CODE_DIRS := $(wildcard src tests bench examples)

.PHONY: run test install lint fmt chromium nginx services bench migration

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The sample third-party pages (examples/) on a second port, so pops are cross-origin for real.
EXAMPLES_PORT ?= 8001
run: install
	@# '*': the samples may be framed by the workbench at 127.0.0.1 or localhost, any port.
	@$(BIN)/python examples/third_party_pages.py --host 127.0.0.1 --port $(EXAMPLES_PORT) \
	  --workbench-origin '*' --agentdesk-origin http://127.0.0.1:$${PORT:-8000} & \
	  examples=$$!; trap "kill $$examples 2>/dev/null" EXIT INT TERM; \
	  EXAMPLES_PORT=$(EXAMPLES_PORT) $(BIN)/agentdesk run

# Debian's Chromium for the browser suite (Playwright drives /usr/bin/chromium).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; \
	fi

# Debian's nginx for the deployment test (two app processes behind the documented proxy
# config). The test runs its own nginx from a temp dir; the system service is never started.
nginx:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
	  echo "installing Debian's nginx for the deployment test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && RUNLEVEL=1 apt-get install -y -qq nginx; \
	  else sudo apt-get update -qq && sudo RUNLEVEL=1 apt-get install -y -qq nginx; fi; \
	fi

lint: install
	$(BIN)/ruff check $(CODE_DIRS)
	$(BIN)/ruff format --check $(CODE_DIRS)
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff format $(CODE_DIRS)
	$(BIN)/ruff check --fix $(CODE_DIRS)

# Suites run in parallel processes (pytest-xdist): each has its own SQLite file, PostgreSQL
# database, temp dirs, ports and Redis channels. Most of a test's time is waiting (timers,
# sockets, the browser); one per core. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: install chromium nginx lint
	@mkdir -p var
	$(BIN)/python tests/services.py > var/test-services.env
	source var/test-services.env && $(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

bench: install
	$(BIN)/python bench/pop_latency.py

# Until the first release, the schema is one migration regenerated from the models.
migration: install
	rm -f src/agentdesk/migrations/versions/0001_*.py
	rm -f var/migration-scratch.db
	mkdir -p var
	$(BIN)/python -c "from agentdesk.migrations.migrate import autogenerate; autogenerate('sqlite+aiosqlite:///var/migration-scratch.db', 'initial schema', rev_id='0001')"
	rm -f var/migration-scratch.db
	$(BIN)/ruff format src/agentdesk/migrations/versions
	$(BIN)/ruff check --fix --quiet src/agentdesk/migrations/versions || true
