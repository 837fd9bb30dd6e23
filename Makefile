# Two commands for a newcomer: `make demo` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck pytest bench soak clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/syncd demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy syncd

# Tests run in parallel (up to 4 processes): most of them wait on loopback
# HTTP and subprocesses. PYTEST_ARGS="-n 0 -k ..." runs a selection serially.
pytest: $(STAMP)
	$(BIN)/pytest -n auto --maxprocesses 4 --dist worksteal $(PYTEST_ARGS)

test: lint typecheck pytest

# A longer fault soak than `make test` runs: 30 fault patterns instead of 2.
soak: $(STAMP)
	SYNCD_SOAK_SEEDS=$$(seq -s, 101 130) $(BIN)/pytest -q tests/faults/test_soak.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
