# The two commands of the quick start: `make demo` and `make test`. Both set everything up first and are
# safe to run again.
SHELL := /bin/bash
VENV := .venv
KUOCHAN := $(VENV)/bin/kuochan
PYTHON ?= $(shell command -v python3.11 || command -v python3)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test setup lock lint format test-sqlite test-postgres bench clean

demo: setup
	$(KUOCHAN) migrate --noinput
	$(KUOCHAN) load-reference
	$(KUOCHAN) demo-data
	@echo
	@echo "扩产通演示：http://127.0.0.1:8000  （账号见上，密码相同；按 Ctrl-C 停止）"
	# The background worker runs imports, evaluations and reports started from the pages, beside the server.
	$(KUOCHAN) db_worker --interval 0.5 --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(KUOCHAN) runserver 127.0.0.1:8000

test: setup
	scripts/ensure-browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	scripts/test-all

setup: $(VENV)/.installed node_modules/.installed

# Exactly the locked versions, each checked against its hash (requirements/, written by `make lock`).
$(VENV)/.installed: pyproject.toml requirements/dev.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements/dev.txt
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

# After changing a dependency in pyproject.toml: the lock again, keeping every other version as it is.
# `make lock LOCK_OPTIONS=--upgrade` moves everything to the newest allowed; `LOCK_OPTIONS="--upgrade-package
# django"` moves one package. The runtime lock is what production installs; the dev lock adds the test tools.
LOCK = $(VENV)/bin/uv pip compile pyproject.toml --universal --generate-hashes --quiet $(LOCK_OPTIONS)
lock: $(VENV)/.installed
	$(LOCK) -o requirements/runtime.txt
	$(LOCK) --extra dev -c requirements/runtime.txt -o requirements/dev.txt

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test-sqlite: setup
	$(VENV)/bin/pytest

test-postgres: setup
	DATABASE_URL=$$(scripts/ensure-postgres) $(VENV)/bin/pytest

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .ruff_cache test-artifacts
