# Two commands on a fresh clone: `make demo` runs the main job, `make test` the test suite.
# Both install what they need first into .venv (Python 3.11+ is the only prerequisite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DAGSTER_HOME := $(CURDIR)
export IMILO_DAGSTER_STORAGE := $(CURDIR)/var/dagster

.PHONY: install demo test ui bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,dev]"
	@touch $@

demo: install
	$(BIN)/imilo-migrate demo

test: install
	$(BIN)/python -m pytest -q

UI_ARGS ?=
ui: install
	$(BIN)/dagster dev $(UI_ARGS)

bench: install
	$(BIN)/python bench/memory.py

lint: install
	$(BIN)/ruff check pipeline schemas tests bench
	$(BIN)/ruff format --check pipeline schemas tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var
