# Plain runner: every target creates the virtual environment first when it is missing or stale.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: test check lint typecheck unit demo bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

## check: ruff (lint and format) and mypy --strict
check: $(STAMP)
	$(VENV)/bin/ruff check provider tests bench examples tools
	$(VENV)/bin/ruff format --check provider tests bench examples tools
	$(VENV)/bin/mypy --strict

## test: the checks, then the whole test suite
test: check
	$(PY) -m pytest

## demo: the quickstart lifecycle against a local sandbox (real CLI when installed)
demo: $(STAMP)
	$(PY) tools/demo.py

## bench: API-call counts and timings, see bench/README.md
bench: $(STAMP)
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
