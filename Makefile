# The two commands of the README. Each creates .venv and installs aclbench where that is
# missing or pyproject.toml changed, and takes seconds when nothing did.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# The layers' folders, laid out under build/typecheck/aclbench as [tool.setuptools.package-dir]
# installs them, so that mypy and import-linter see the one `aclbench` package.
LAYERS := teachers envs students harness
TYPECHECK := build/typecheck

.PHONY: demo test install typecheck imports linktree

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[test,ray,tensorboard,video]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/aclbench suite benchmarks/suites/demo.toml --out results
	$(BIN)/aclbench report results/demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory imports
	$(BIN)/python -m pytest -n auto --maxprocesses=4  # one test process per core, at most 4

linktree:
	rm -rf $(TYPECHECK)/aclbench
	mkdir -p $(TYPECHECK)/aclbench
	for f in aclbench/*.py $(LAYERS); do ln -sfn $(CURDIR)/$$f $(TYPECHECK)/aclbench/$${f#aclbench/}; done
	ln -sfn $(CURDIR)/benchmarks $(TYPECHECK)/benchmarks

typecheck: $(STAMP) linktree
	cd $(TYPECHECK) && $(CURDIR)/$(BIN)/mypy --config-file $(CURDIR)/pyproject.toml \
		--cache-dir $(CURDIR)/.mypy_cache -p aclbench -p benchmarks

# The layer contracts of [tool.importlinter] (pyproject.toml), over the same tree of links.
imports: $(STAMP) linktree
	cd $(TYPECHECK) && PYTHONPATH=. $(CURDIR)/$(BIN)/lint-imports --no-logo --no-cache \
		$(CURDIR)/pyproject.toml
