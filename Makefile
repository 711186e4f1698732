# wsChat — every target sets up what it needs, idempotently, on a fresh machine.
#   make run    install, build, start the server with a demo tenant on http://127.0.0.1:8080
#   make test   install, build, run the whole test suite
#   make lint   ruff + mypy

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# FerretDB (a MongoDB-wire server on SQLite) is only the test server of the MongoDB adapter: built by
# `make test`, never needed by `make run`.
FERRETDB := .tools/bin/wschat-ferretdb
# Debian packages the test suite needs; installed only when missing.
DEBS_TEST := redis-server chromium fonts-dejavu-core
NODE_MODULES := frontend/node_modules/.installed
FRONTEND := wschat/static/.built
FRONTEND_SOURCES := $(shell find frontend/src frontend/*.json frontend/*.ts frontend/scripts -type f 2>/dev/null)
PYTEST_ARGS ?=

.PHONY: run test lint bench bench-growth bench-archive bench-reports fuzz soak setup debs clean

run: setup
	$(BIN)/wschat serve

test: setup $(FERRETDB) debs
	cd frontend && npm test --silent
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check wschat tests tools bench
	$(BIN)/ruff format --check wschat tests tools bench
	$(BIN)/mypy

setup: $(VENV)/.installed $(FRONTEND)

$(NODE_MODULES): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Vite writes the widget (wschat/static/widget.js, its loader, and wschat/static/widget/: the widget proper and
# the chunks it loads on first use), the console (wschat/static/console/) and the sign-up pages' script
# (wschat/static/signup/).
$(FRONTEND): $(NODE_MODULES) $(FRONTEND_SOURCES)
	cd frontend && npm run build --silent
	touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(FERRETDB): tools/ferretdb/main.go tools/ferretdb/go.mod tools/ferretdb/go.sum
	mkdir -p $(dir $@)
	cd tools/ferretdb && CGO_ENABLED=0 go build -trimpath -o $(CURDIR)/$@ .

debs:
	@bash tools/ensure-debs.sh $(DEBS_TEST)

clean:
	rm -rf $(VENV) .tools var .pytest_cache .mypy_cache .ruff_cache wschat/static frontend/node_modules

# The relay benchmark (docs/benchmarks.md): 1,000 visitors, 50 agents, 500–2,000 msg/s, against a bare relay;
# make bench BENCH_ARGS="--rates 1500 --seconds 30 --no-reference"
BENCH_ARGS ?=

bench: setup
	$(BIN)/python bench/relay.py $(BENCH_ARGS)

# Socket.IO and HTTP API fuzzing with fresh randomness and many more examples than the suite's 150 (docs/security.md).
FUZZ_EXAMPLES ?= 20000

fuzz: setup
	WSCHAT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) WSCHAT_FUZZ_RANDOM=1 $(BIN)/python -m pytest -q tests/chat/test_fuzz_events.py tests/chat/test_fuzz_http.py

# Chaos soak (docs/reliability.md): each deployment (two processes on FerretDB + Redis, one on SQLite) for
# SOAK_SECONDS after a warm-up, SOAK_RUNS times in a row; the suite runs a 60 s version (tests/soak/).
SOAK_SECONDS ?= 600
SOAK_RUNS ?= 1

soak: setup $(FERRETDB) debs
	$(BIN)/python -m tests.soak --seconds $(SOAK_SECONDS) --runs $(SOAK_RUNS)

# Growth benchmark (docs/benchmarks.md): 1,000,000 messages on SQLite, empty vs. full; for the MongoDB adapter
# on FerretDB: make .tools/bin/wschat-ferretdb bench-growth GROWTH_ARGS="--backend mongodb --messages 50000"
GROWTH_ARGS ?=

bench-growth: $(VENV)/.installed
	nice $(BIN)/python bench/growth.py $(GROWTH_ARGS)

# The archive's search and export at a million messages (docs/benchmarks.md, "Archive"):
# make bench-archive ARCHIVE_ARGS="--messages 100000"
ARCHIVE_ARGS ?=

bench-archive: $(VENV)/.installed
	cd bench && nice ../$(BIN)/python archive.py $(ARCHIVE_ARGS)

# A year's report of a tenant with 50 agents (docs/benchmarks.md, "Reports"):
# make bench-reports REPORTS_ARGS="--agents 200"
REPORTS_ARGS ?=

bench-reports: $(VENV)/.installed
	nice $(BIN)/python bench/reports.py $(REPORTS_ARGS)
