# Two commands for a fresh machine with Python 3.11+ and make:
#   make lab    set up .venv if needed, copy new labs into work/ and open JupyterLab there (PORT=8888 by default)
#   make test   set up .venv if needed and run the whole test suite
# Instructors: make instructor opens the course root with nbgrader's controls (formgrader, create assignment).

PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 8888
LAB_ARGS ?=
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab instructor test bench bench-tests bench-grade release check-release data clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/pmle lab --port=$(PORT) -- $(LAB_ARGS)

instructor: $(STAMP)
	$(BIN)/pmle lab --instructor --port=$(PORT) -- $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadscope --no-loadscope-reorder

bench: $(STAMP)
	$(BIN)/python -m pmle.bench

# where the test suite's time goes: notebook runs and seconds per lab, then the fixed costs per module
bench-tests: $(STAMP)
	PMLE_BENCH_TESTS=1 $(BIN)/python -m pytest -n auto --dist loadscope --no-loadscope-reorder -q

# pmle grade vs sequential nbgrader autograde on the same submissions; e.g. BENCH_ARGS="--students 10 --json"
bench-grade: $(STAMP)
	$(BIN)/python benchmarks/grading.py $(BENCH_ARGS)

release: $(STAMP)
	$(BIN)/pmle release

check-release: $(STAMP)
	$(BIN)/pmle release --check

data: $(STAMP)
	$(BIN)/pmle data build

clean:
	rm -rf $(VENV) grading .pytest_cache
