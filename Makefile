# Two commands for a fresh machine (only Python 3.10+ and pip needed):
#   make run   — set up, ingest the sample articles, serve them at http://127.0.0.1:8000/
#   make test  — set up and run the whole test suite (installs Chromium for the browser tests
#                and Sphinx's searchd for the cluster tests)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOME_DIR ?= demo-archive
HOST ?= 127.0.0.1
PORT ?= 8000
# pip's errors only: its notices (the editable-install one among them) are not wenhai's
PIP_QUIET ?= --quiet --quiet

.PHONY: run test test-busy setup setup-test browser searchd clean

$(BIN)/wenhai: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) --upgrade pip
	$(BIN)/pip install $(PIP_QUIET) -e .
	@touch $@

setup: $(BIN)/wenhai

setup-test: setup
	$(BIN)/pip install $(PIP_QUIET) -e '.[test]'

run: setup
	$(BIN)/wenhai --home $(HOME_DIR) ingest samples
	$(BIN)/wenhai --home $(HOME_DIR) serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the end-to-end tests (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; }

# Debian's Sphinx for the cluster tests (tests/test_cluster.py starts real shards from it).
searchd:
	@command -v searchd >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends sphinxsearch >/dev/null; }

test: setup-test browser searchd
	$(BIN)/python -m pytest

# The suite RUNS times with every core kept busy (tests must not depend on timing).
RUNS ?= 5
test-busy: setup-test browser searchd
	PYTHON=$(BIN)/python tests/busy $(RUNS)

clean:
	rm -rf $(VENV) $(HOME_DIR) test-artifacts
