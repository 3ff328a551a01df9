# The README's two commands: `make demo` and `make test`. Each installs what it needs on first use
# (a .venv from pyproject.toml, node_modules from package-lock.json) and is a fast no-op afterwards.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FORGE := node_modules/.bin/forge
STAMP := build/.stamps

.PHONY: demo test test-python test-contracts lint lint-js bench slither install clean

install: $(STAMP)/python $(STAMP)/node

$(STAMP)/python: pyproject.toml
	@mkdir -p $(STAMP)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

$(STAMP)/node: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

demo: install
	$(BIN)/union demo

test: install lint test-contracts test-python

lint: install lint-js
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The dashboard's browser modules: types (tsc, JSDoc + `// @ts-check`, nothing emitted) and lint (eslint, flat config);
# any error or warning fails.
lint-js: install
	node_modules/.bin/tsc --noEmit -p tsconfig.json
	node_modules/.bin/eslint --max-warnings 0 api/dashboard eslint.config.mjs

test-contracts: install
	$(FORGE) test

test-python: install
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

# Static analysis through the same solc-js wrapper (standard JSON mode). slither lives in its own venv: it is a
# steward's tool, not a dependency of the union.
slither: $(STAMP)/node
	@test -x .venv-slither/bin/slither || ($(PYTHON) -m venv .venv-slither && .venv-slither/bin/pip install --quiet slither-analyzer)
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" .venv-slither/bin/slither contracts/src --solc-standard-json \
		--solc tools/solc --solc-remaps "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/" \
		--filter-paths node_modules --exclude-informational --fail-high

clean:
	rm -rf build .union
