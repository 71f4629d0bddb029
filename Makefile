# qdwidgets: the two commands of the README, on a fresh machine with python3, node and npm.
#
#   make demo   set everything up and open JupyterLab on notebooks/tour.ipynb (qdwidgets demo)
#   make test   set everything up (Debian's chromium too) and run the whole test suite
#   make docs   set everything up and build the documentation into docs/_build/html (offline)
#
# Variables: PYTHON (interpreter that creates .venv), DEMO_ARGS (e.g. "--no-browser --port 8890"),
# PYTEST_ARGS (e.g. "tests/core -x"). Setup steps are skipped when their inputs did not change.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_ARGS ?=
PYTEST_ARGS ?=
PYTEST_TIMEOUT ?= 900
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: demo test docs setup chromium clean

demo: setup
	$(BIN)/qdwidgets demo $(DEMO_ARGS)

# Every step runs even when an earlier one fails, so that one run reports everything; the exit
# status is non-zero when any step failed, and pytest's closing line is printed last but one.
test: setup chromium
	@failed=""; \
	echo "==> ruff check";        $(BIN)/ruff check . || failed="$$failed ruff-check"; \
	echo "==> ruff format --check"; $(BIN)/ruff format --check . || failed="$$failed ruff-format"; \
	echo "==> mypy";              $(BIN)/mypy || failed="$$failed mypy"; \
	echo "==> JS unit tests";     npm --prefix js test || failed="$$failed js"; \
	echo "==> docs (sphinx, warnings are errors)"; $(SPHINX) || failed="$$failed docs"; \
	echo "==> doctests (core, data)"; $(DOCTEST) || failed="$$failed doctests"; \
	echo "==> pytest (core, widgets, ui, notebooks)"; \
	QD_CHROMIUM="$$(command -v chromium)" $(BIN)/python -m pytest \
	  --timeout=$(PYTEST_TIMEOUT) $(PYTEST_ARGS) || failed="$$failed pytest"; \
	if [ -n "$$failed" ]; then echo "==> FAILED:$$failed"; exit 1; fi; \
	echo "==> all checks passed"

# The documentation: offline, warnings are errors (-W), every problem listed (--keep-going). The
# notebooks of the user guide run once and are cached in docs/_build/.jupyter_cache; -E re-reads
# every page, so that a changed docstring is checked again.
SPHINX = $(BIN)/python -m sphinx -E -b html -W --keep-going -q docs docs/_build/html
# The examples in the docstrings of qdwidgets.core and qdwidgets.data
DOCTEST = $(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules \
  --timeout=$(PYTEST_TIMEOUT) qdwidgets/core qdwidgets/data

docs: setup
	$(SPHINX)

setup: $(VENV)/.qd-installed
	npm --prefix js run build --silent

# npm ci first (exact versions from js/package-lock.json), then the editable install, whose hatch
# hook builds qdwidgets/static/ta_view.js and prepare.js. The hook skips the build when the bundles
# exist, so `setup` rebuilds them every time (esbuild takes milliseconds) to keep up with js/src.
$(VENV)/.qd-installed: pyproject.toml js/package.json js/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null \
	  || { echo "node and npm are required (https://nodejs.org)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	npm --prefix js ci --no-audit --no-fund
	$(BIN)/python -m pip install --quiet -e ".[test]"
	test -f qdwidgets/static/ta_view.js && test -f qdwidgets/static/prepare.js
	touch $@

# Debian's chromium for the browser tier (playwright cannot download a browser here).
chromium:
	@command -v chromium >/dev/null || { \
	  echo "==> installing Debian's chromium"; \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }
	@command -v chromium >/dev/null || { echo "chromium is still missing"; exit 1; }

clean:
	rm -rf $(VENV) js/node_modules qdwidgets/static build dist .pytest_cache .mypy_cache \
	  docs/_build docs/api/*.rst docs/api/generated docs/guide/notebooks
