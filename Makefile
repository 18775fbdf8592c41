# Syncline: `make run` serves examples/orders on http://127.0.0.1:8000/graphql; `make test` runs
# the whole suite, installing what it needs first (Python packages, npm packages, chromium).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run test bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: install
	$(BIN)/syncline serve examples/orders

test: install
	bash scripts/ensure-test-deps.sh
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/hadolint Dockerfile
	$(BIN)/syncline package examples/orders --out build/lint --template-only >/dev/null
	$(BIN)/cfn-lint build/lint/template.yaml

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
