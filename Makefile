# Two commands for a newcomer: `make demo` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# `make tools`: programs the tests call that pip cannot install (promtool, from the
# Debian package prometheus), installed only when missing. CI runs as root on Debian.
.PHONY: tools install demo test lint typecheck pytest pytest-for-test calendar test-calendar test-crash bench bench-quick soak clean

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

# Tests run in 4 processes, also on 2 cores: most of them wait on loopback HTTP,
# simulated latency and subprocesses. The 25 slowest are listed at the end.
# PYTEST_ARGS="-n 0 -k ..." runs a selection serially.
PYTEST_WORKERS ?= 4
pytest: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=25 $(PYTEST_ARGS)

# What `make test` runs of the suite: all of it except the end-to-end tests on
# SQLite, which `make calendar` runs right after at the calendar's moment of the
# day (on PostgreSQL they run here, at the real date). Every test runs once.
pytest-for-test: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=25 \
		-k "not (e2e and sqlite)" $(PYTEST_ARGS)

# The date-sensitive suites again, with every process's clock pinned to one of
# the calendar's moments (a different one each day; see tests/calendar_runs.py).
calendar: $(STAMP)
	$(BIN)/python -m tests.calendar_runs --rotate -- tests/e2e tests/cli/test_demo.py -k "not postgres"

# All moments over e2e, faults, the demo and a quick crash harness (~25 min).
test-calendar: $(STAMP)
	SYNCD_CRASH_WRITES=quick $(BIN)/python -m tests.calendar_runs --all -- \
		tests/e2e tests/faults tests/cli/test_demo.py tests/crash

# Kill `syncd run-once` at every one of its writes (make test kills at a sample).
test-crash: $(STAMP)
	SYNCD_CRASH_WRITES=all $(BIN)/pytest -n auto --maxprocesses 4 tests/crash

# Requests per side against the lower bound, CPU and memory; results in bench/results.
bench: $(STAMP)
	$(BIN)/python -m bench.run

# The same scenarios at small sizes: fails when a run sends more than 1.1 x the bound.
bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick

tools:
	@command -v promtool >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends prometheus; }

test: tools lint typecheck pytest-for-test calendar bench-quick

# Longer searches than `make test` runs: 30 fault patterns instead of 2, and
# 2000 state-machine examples against the real engine instead of 500.
soak: $(STAMP)
	SYNCD_SOAK_SEEDS=$$(seq -s, 101 130) SYNCD_STATEFUL_EXAMPLES=2000 $(BIN)/pytest -q -n 2 \
		tests/faults/test_soak.py tests/sync/test_engine_stateful.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
