# govinspect: every target creates .venv and installs on first use, so a fresh machine with
# only python3 needs nothing else.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: demo test lint bench install clean distclean-data system-deps

# Debian packages some features need: a CJK font (PDF reports and charts in Chinese), Chromium
# (the HTML report screenshot test), poppler-utils (pdftotext in the tests), Pango for WeasyPrint.
SYSTEM_PACKAGES := fonts-noto-cjk chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve the demo town on 127.0.0.1 and run the job on it.
demo: $(STAMP)
	$(BIN)/govinspect demo

## The test suite (PostgreSQL/Redis tests run when the servers are up, and must when CI=true).
test: $(STAMP)
	$(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Benchmarks: peer link checkers, the plain site on the Python server, re-crawls with and
## without validators, politeness, 40 units at once, memory (nginx, wget, GNU time from Debian;
## the peers into bench/out/peers/, never into the project venv); see docs/benchmarks.md.
BENCH_PACKAGES := nginx wget time
bench: $(STAMP)
	@missing=""; for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; fi
	$(BIN)/python bench/peers.py install
	$(BIN)/python bench/run.py

## Install the Debian packages above (root, or sudo); tests needing them skip without them.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "system packages present"; fi

## What the build made: the venv, caches, benchmark output. Never the data folder.
clean:
	rm -rf $(VENV) bench/out .pytest_cache .ruff_cache

## Deletes ./var: the database (every run's facts, findings and scores) and the WARC evidence.
## Only with CONFIRM=yes. A --data-dir / GOVINSPECT_DATA_DIR elsewhere is never touched.
distclean-data:
	@if [ "$(CONFIRM)" != yes ]; then \
	  echo "make distclean-data deletes ./var (the database and the WARC evidence);" >&2; \
	  echo "run 'make distclean-data CONFIRM=yes' to do it" >&2; exit 1; fi
	rm -rf var
