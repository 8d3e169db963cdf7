# The two commands of the README. Each creates .venv and installs aclbench where that is
# missing or pyproject.toml changed, and takes seconds when nothing did.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[test,ray]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/aclbench suite benchmarks/suites/demo.toml --out results
	$(BIN)/aclbench report results/demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest
