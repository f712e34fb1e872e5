# Plain runner: every target creates the virtual environment first when it is missing or stale.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: test check demo bench mutate clean test-oldest-pulumi pulumi-cli actionlint

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

## test: the checks, then the whole test suite (one worker per core: the real-engine tests
## spend most of their time in CPU-bound CLI runs)
test: check
	$(PY) -m pytest -n auto --dist worksteal

## pulumi-cli: build the real Pulumi CLI from Pulumi's Go modules into a cache folder
## (tools/pulumi-cli/build.sh; needs Go; a second run reuses the build)
pulumi-cli:
	@bash tools/pulumi-cli/build.sh

## actionlint: build actionlint (lints examples/ci/github-actions.yml in the suite) with
## `go install` into a cache folder (tools/actionlint/install.sh; a second run reuses it)
actionlint:
	@bash tools/actionlint/install.sh

## demo: the quickstart lifecycle against a local sandbox (real CLI when installed)
demo: $(STAMP)
	@$(PY) tools/demo.py

## bench: API-call counts and timings, then cold start, imports, registration and the real
## CLI against baselines measured in the same run (bench/perf.py); see bench/README.md
bench: $(STAMP)
	$(PY) bench/run.py
	$(PY) bench/perf.py

## mutate: mutation testing (mutmut) of the functions whose faults cost users most, on a copy
## in .mutmut/ (never provider/); not part of `make test`. Scores: docs/reliability.md.
## MODULES="plan receiver" limits it to some modules (tools/mutate/run.py --list)
mutate: $(STAMP)
	$(PY) tools/mutate/run.py $(MODULES)

clean:
	rm -rf $(VENV) .venv-oldest .mypy_cache .pytest_cache .ruff_cache .mutmut mutants

## test-oldest-pulumi: the provider and host tests against the oldest pulumi SDK we support
OLDEST_PULUMI ?= 3.216.0
test-oldest-pulumi:
	@test -x .venv-oldest/bin/python || $(PYTHON) -m venv .venv-oldest
	.venv-oldest/bin/python -m pip install --quiet -e '.[dev]' 'pulumi==$(OLDEST_PULUMI)'
	.venv-oldest/bin/python -m pytest -p no:cacheprovider tests/unit tests/client tests/host
