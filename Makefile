# Funnel Warehouse: `make demo` to see it, `make test` to prove it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
OPPORTUNITIES ?= 5000

export FUNNEL_INBOX ?= $(CURDIR)/data/inbox
export FUNNEL_WAREHOUSE ?= $(CURDIR)/warehouse
export DAGSTER_HOME ?= $(FUNNEL_WAREHOUSE)/dagster_home
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: help install manifest demo-data refresh demo serve test test-fast lint hooks docs clean \
	browser reliability

help:
	@echo "make demo     install, generate demo exports, refresh, serve dashboards + Dagster UI"
	@echo "make refresh  run the full pipeline once through Dagster (exit 1 on failure);"
	@echo "              FULL=1 rebuilds the incremental dbt models from scratch"
	@echo "make test     install, lint, and run every test (make test-fast skips slow ones)"
	@echo "make lint     ruff, sqlfluff and mypy"
	@echo "make docs     dbt docs site + metrics glossary"
	@echo "make hooks    install the pre-commit hooks"
	@echo "make browser  install Debian's chromium + CJK fonts for the browser test (root)"

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet -c requirements.lock -e ".[dev,spark]"
	touch $(STAMP)

install: $(STAMP)

$(DAGSTER_HOME)/dagster.yaml:
	mkdir -p $(DAGSTER_HOME)
	printf 'telemetry:\n  enabled: false\n' > $@

# dagster-dbt reads dbt's manifest when the definitions are imported.
manifest: install
	cd dbt_project && ../$(VENV)/bin/dbt parse --quiet --profiles-dir .

demo-data: install
	$(PY) -m ingestion.demo --opportunities $(OPPORTUNITIES) --out $(FUNNEL_INBOX)

# FULL=1: dbt --full-refresh (the incremental stage facts rebuilt from scratch; the nightly
# pipeline snapshots are kept). Without it the stage facts rebuild only changed opportunities.
refresh: manifest $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m orchestration.refresh $(if $(filter 1 true yes,$(FULL)),--full)

serve: manifest $(DAGSTER_HOME)/dagster.yaml
	@echo "Dagster UI (with the daemon running the nightly schedule): http://127.0.0.1:3000"
	@echo "Dashboards: http://127.0.0.1:8501"
	$(VENV)/bin/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000 & \
	  trap 'kill %1 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/streamlit run dashboards/streamlit_app.py --server.address 127.0.0.1 \
	    --server.port 8501 --server.headless true --browser.gatherUsageStats false

demo: demo-data refresh serve

# The dbt templater opens the profile's DuckDB file to list relations: give it a throw-away
# folder, never the live warehouse (whose lock a running refresh holds).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  FUNNEL_WAREHOUSE="$$tmp" $(VENV)/bin/sqlfluff lint dbt_project --processes 2

hooks: install
	$(VENV)/bin/pre-commit install

# `dbt docs generate` opens the profile's DuckDB file: a throw-away folder keeps it off the live
# warehouse. The site lands in dbt_project/target/ (open index.html); the glossary in docs/.
docs: install
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  cd dbt_project && FUNNEL_WAREHOUSE="$$tmp" ../$(VENV)/bin/dbt docs generate \
	    --profiles-dir . --vars '{as_of_date: "2026-06-30"}'
	$(PY) scripts/build_glossary.py

# Debian's Chromium and CJK fonts for the browser test (tests/e2e, driven by Playwright from
# PyPI: never `playwright install`). Installs only what is missing; needs root for apt-get.
browser:
	@dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1 || { \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; }

test: lint manifest $(DAGSTER_HOME)/dagster.yaml browser
	$(PY) -m pytest -q -m "slow or not slow" -n 2 --dist loadgroup --durations=25

# Only the reliability harness at CI size (kills, load, corruption, full disk; part of make test).
reliability: manifest $(DAGSTER_HOME)/dagster.yaml
	$(PY) -m pytest -q -m slow tests/reliability/test_reliability_harness.py

test-fast: manifest
	$(PY) -m pytest -q

clean:
	rm -rf warehouse data/inbox dbt_project/target dbt_project/logs artifacts
