# The two commands a fresh machine needs: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test lint bench stack-up stack-down stack-status clean

$(STAMP): pyproject.toml admin_ui/package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	npm ci --prefix admin_ui --no-audit --no-fund --loglevel=error  # the admin UI's browser libraries (lit)
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/crm run

test: setup
	$(BIN)/pytest
	$(MAKE) lint

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m bench

stack-up: setup
	$(BIN)/crm stack up

stack-down: setup
	$(BIN)/crm stack down

stack-status: setup
	$(BIN)/crm stack status

clean: stack-down
	rm -rf .crm-data
