# Every target creates or updates .venv itself: a fresh clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
LAB    := $(VENV)/.installed-lab
BENCH  := $(VENV)/.installed-bench

.PHONY: demo test bench bench-quick lab notebooks clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kuiper_dev needs Python 3.11 or newer: run make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)  ## the main job on embedded defaults: plugin + simulated sensors + rule
	$(BIN)/kuiper-dev demo

test: $(STAMP)  ## lint, types, layer contract, unit/property tests, rule tests, doctests, notebooks
	$(BIN)/ruff check kuiper_dev tests plugins bench
	$(BIN)/mypy kuiper_dev
	$(BIN)/lint-imports
	$(BIN)/pytest

$(BENCH): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@touch $(BENCH)

bench: $(BENCH)  ## the performance suite (bench/README.md): one table, bench/results.json
	$(BIN)/python -m bench

bench-quick: $(BENCH)  ## the same suite on 100,000 messages, one run each (under a minute)
	$(BIN)/python -m bench --quick

$(LAB): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(LAB)

lab: $(LAB)  ## JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks

notebooks: $(STAMP)  ## rebuild and re-execute the notebooks so their committed outputs are current
	$(BIN)/python -m tests.tools.make_quickstart
	$(BIN)/python -m tests.tools.make_notebooks
	cd notebooks && for nb in *.ipynb; do \
		../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.record_timing=False "$$nb" || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis dist build *.egg-info
