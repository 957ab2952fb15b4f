# Grounded — the two commands: `make dev` (local cloud on :3001) and `make test` (the whole suite).
SHELL := /bin/bash
export SAM_CLI_TELEMETRY := 0
PYTHON ?= python3
PORT ?= 3001
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
# the Lambda runtime's interpreter with the dependencies layer's packages: layers/bytecode.py
# imports the built functions with it to record their strings (the build's own packages are for Lambda's arm64)
LAMBDA_VENV := .venv-lambda
LAMBDA_PY := $(LAMBDA_VENV)/bin/python
# sam build needs the Lambda runtime's interpreter (python3.13) first on PATH. Find it through
# pyenv where present, else on PATH; never a machine-specific path.
PY313_PREFIX := $(shell pyenv prefix 3.13 2>/dev/null || (command -v python3.13 >/dev/null && dirname "$$(dirname "$$(command -v python3.13)")"))

JS := sdk/js
JS_STAMP := $(JS)/node_modules/.package-lock.json
NODE_OK := $(shell node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null && echo yes)

WEB := web
WEB_STAMP := $(WEB)/node_modules/.package-lock.json
STACK ?= grounded

.PHONY: dev dev-reset test install lint typecheck unit js js-install web web-install web-build deploy browser fuzz fmt openapi aws-endpoints redrive bench sam-validate sam-build clean help

help:
	@echo "make dev    start the local cloud on http://localhost:$(PORT) (reloads on code changes; data kept in .grounded/state; ARGS=--ephemeral keeps nothing)"
	@echo "make dev-reset  forget the local cloud's data (and the demo org)"
	@echo "make test   lint, type-check and run every test"
	@echo "make bench  print the benchmarks' figures"
	@echo "make web    the dashboard (web/): lint, type-check, component tests, build"
	@echo "make deploy sam deploy, then upload the dashboard (STACK=name)"
	@echo "make js     the JavaScript SDKs (sdk/js): generated types current, build, lint, unit tests"
	@echo "make fuzz   the API fuzz suite at full strength (25 examples per operation, stateful)"
	@echo "make sam-validate sam-build   what CI runs on template.yaml (sam-build: sam build, then its strings precompiled and its Python compiled to bytecode)"
	@echo "make aws-endpoints  after upgrading botocore: the core's copy of botocore's endpoint data (a unit test says when)"

$(STAMP): requirements/dev.txt layers/deps/requirements.txt sdk/python/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

dev: install
	@if [ "$(NODE_OK)" = yes ]; then $(MAKE) --no-print-directory web-build; \
	else echo "Node.js >= 20 not found: the API runs, but the dashboard is not built (install Node >= 20, then make web)"; fi
	$(BIN)/python -m local --port $(PORT) --reload $(ARGS)

dev-reset:
	rm -rf .grounded/state .grounded/demo.env

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest tests/unit

test: lint typecheck js web browser
	$(BIN)/pytest

# The JavaScript workspace: its tools come from its one lock file (npm ci).
$(JS_STAMP): $(JS)/package-lock.json
	@test "$(NODE_OK)" = yes || { echo "Node.js >= 20 is needed (node --version: $$(node --version 2>/dev/null || echo none))"; exit 1; }
	cd $(JS) && npm ci --no-audit --no-fund
	touch $(JS_STAMP)

js-install: $(JS_STAMP)

js: js-install
	cd $(JS) && npm run check:generated && npm run build && npm run lint && npm test

# The dashboard (web/): its own lock file; `make web` checks and tests it, then builds web/dist.
$(WEB_STAMP): $(WEB)/package-lock.json
	@test "$(NODE_OK)" = yes || { echo "Node.js >= 20 is needed (node --version: $$(node --version 2>/dev/null || echo none))"; exit 1; }
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $(WEB_STAMP)

web-install: $(WEB_STAMP)

web-build: web-install
	cd $(WEB) && npm run build

web: web-install
	cd $(WEB) && npm run lint && npm test && npm run build

# Deploy to AWS: build, `sam deploy` (samconfig.toml), then upload the dashboard and invalidate
# index.html. STACK names the stack (default grounded); SAM_ARGS passes more to sam deploy.
deploy: web-build sam-build
	$(SAM) deploy --stack-name $(STACK) $(SAM_ARGS)
	$(BIN)/python -m local.publish_dashboard --stack $(STACK)

# The browser tests drive Debian's chromium (Playwright's own download is not reachable here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "the browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }

# The fuzz suite at full strength: 25 examples per operation (examples, coverage and fuzzing phases)
# and 25 stateful scenarios of 20 steps, as a secret key and as an OWNER. CI runs it reduced.
fuzz: install
	FUZZ_EXAMPLES=25 FUZZ_SCENARIOS=25 FUZZ_STEPS=20 $(BIN)/pytest tests/fuzz

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

redrive: install  ## QUEUE=NormalizeQueue|SyncQueue [STACK=deployed-stack-name]
	$(BIN)/python -m local.redrive $(QUEUE) $(if $(STACK),--stack $(STACK),--url http://localhost:$(PORT))

aws-endpoints: install
	$(BIN)/python -m local.aws_endpoints

openapi: install js-install
	PYTHONPATH=.:shared:functions $(BIN)/python -m local.openapi
	cd $(JS) && npm run generate

bench: install
	$(BIN)/python bench/cold_start.py --own
	$(BIN)/python bench/bytecode.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/otel.py
	$(BIN)/python bench/connectors.py
	$(BIN)/python bench/evals.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/cost.py
	$(BIN)/python bench/partitions.py
	$(BIN)/python bench/lifecycle.py
	$(BIN)/python bench/analytics.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/listing.py
	$(BIN)/python bench/authorizer.py
	cd $(JS) && npm run build --silent && npm run size --silent
	$(MAKE) --no-print-directory web-build >/dev/null
	$(BIN)/python bench/web.py

$(SAM): requirements/sam.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q -r requirements/sam.txt
	touch $(SAM)

sam-validate: $(SAM)
	$(SAM) validate --lint --region us-east-1

$(LAMBDA_VENV)/.installed: layers/deps/requirements.txt
	@test -n "$(PY313_PREFIX)" || { echo "sam build needs python3.13 (pyenv install 3.13, or put python3.13 on PATH)"; exit 1; }
	test -x $(LAMBDA_PY) || $(PY313_PREFIX)/bin/python3.13 -m venv $(LAMBDA_VENV)
	$(LAMBDA_PY) -m pip install -q -r layers/deps/requirements.txt
	touch $@

sam-build: $(SAM) $(LAMBDA_VENV)/.installed
	@test -n "$(PY313_PREFIX)" || { echo "sam build needs python3.13 (pyenv install 3.13, or put python3.13 on PATH)"; exit 1; }
	PATH="$(PY313_PREFIX)/bin:$$PATH" $(SAM) build --parallel
	$(PY313_PREFIX)/bin/python3.13 layers/bytecode.py .aws-sam/build --strings-with $(LAMBDA_PY)

clean:
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache $(JS)/.build $(JS)/packages/*/dist $(WEB)/dist
