# The README's two commands: `make demo` and `make test`. Each installs what it needs on first use
# (a .venv from pyproject.toml, node_modules from package-lock.json) and is a fast no-op afterwards.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FORGE := node_modules/.bin/forge
STAMP := build/.stamps

.PHONY: demo test test-python test-contracts lint bench install clean

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

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test-contracts: install
	$(FORGE) test

test-python: install
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf build .union
