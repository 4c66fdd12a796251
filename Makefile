# The two quick-start commands: `make demo` and `make test`. Each sets up .venv itself.
# `make test-fast` runs the tests that need no server of ours (tests/conftest.py marks the rest
# `slow`), in well under a minute, for while you work; `make test` and CI run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# pytest-xdist workers for `make test` (auto: one per core; 0: in this process). A file's tests
# stay on one worker, so a module's fixtures (a demo account in the emulator) are built once.
# Files go out in collection order (e2e, integration, unit): xdist's default, most tests first,
# would send the slowest file (test_message_score.py: one test, ~1 min) last.
TEST_WORKERS ?= auto

.PHONY: demo test test-fast lint bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ecs-why demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/cfn-lint deploy/*.yaml

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

bench: $(STAMP)
	$(BIN)/python -m bench.round_trips
