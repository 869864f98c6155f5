# The interface to the project. `make help` lists the targets.
# Everything installs itself: uv from PyPI into .tools/uv, the workspace with `uv sync --frozen`,
# Aider into its own environment .tools/aider (it pins its own dependencies; never a workspace dep).
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
AIDER_VERSION := 0.86.2
TOOLS := .tools
UV := $(TOOLS)/uv/bin/uv
AIDER_PYTHON := $(TOOLS)/aider/bin/python
AIDER_STAMP := $(TOOLS)/aider/.installed-$(AIDER_VERSION)
export UV_PYTHON_DOWNLOADS := never
PACKAGES := devteam_contracts $(patsubst libs/%,devteam_%,$(wildcard libs/*)) \
  $(patsubst services/%,devteam_%,$(wildcard services/*)) devteam_cli devteam_scripted_model
export UV_PROJECT_ENVIRONMENT := .venv
export DEVTEAM_AIDER_PYTHON := $(CURDIR)/$(AIDER_PYTHON)

.PHONY: help setup demo test lint typecheck pytest bench up schema clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)/uv
	$(TOOLS)/uv/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: $(UV) uv.lock pyproject.toml $(wildcard */pyproject.toml */*/pyproject.toml)
	$(UV) sync --frozen --quiet
	@touch $@

$(AIDER_STAMP): | $(UV)
	$(UV) venv --quiet --clear --python $(PYTHON) $(TOOLS)/aider
	$(UV) pip install --quiet --python $(AIDER_PYTHON) aider-chat==$(AIDER_VERSION)
	@touch $@

setup: .venv/.synced $(AIDER_STAMP) ## install uv, the workspace and Aider (idempotent)

demo: setup ## start NATS + all services and take a demo project through the pipeline (scripted model)
	.venv/bin/python -m devteam_cli.demo

up: setup ## start the whole topology locally (devteam up)
	.venv/bin/devteam up

test: setup lint typecheck pytest ## lint, type-check and run every test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck:
	.venv/bin/mypy $(addprefix -p ,$(PACKAGES))

pytest:
	.venv/bin/pytest -q

bench: setup ## run the benchmarks in bench/ and write bench/results/*.json
	.venv/bin/python -m bench

schema: ## regenerate contracts/schema/*.json from the models
	.venv/bin/python -m devteam_contracts.schema

clean: ## remove installed tools and environments
	rm -rf $(TOOLS) .venv
