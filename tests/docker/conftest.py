"""The Docker sandbox backend against a real engine (`make test-docker`): `DOCKER_HOST` must
reach one, and the node toolchain image must be built (the target does both)."""

import os

import pytest

from devteam_sandbox.settings import SandboxSettings

NODE_IMAGE = os.environ.get("DEVTEAM_TEST_NODE_IMAGE", "devteam-node:bookworm")


@pytest.fixture(autouse=True)
def docker_engine() -> None:
    import docker

    try:
        docker.from_env(timeout=10).images.get(NODE_IMAGE)
    except Exception as exc:  # a clear failure, never a silent skip: this target needs it
        pytest.fail(f"no Docker engine with {NODE_IMAGE} ({exc}); run `make test-docker`")


@pytest.fixture
def docker_backend() -> SandboxSettings:
    """A worker's settings for the Docker backend, the node image allowed and the default
    (the suite's priority: tests/conftest.py)."""
    return SandboxSettings(
        work_nice=0,
        sandbox="docker",
        sandbox_images=NODE_IMAGE,
        sandbox_default_image=NODE_IMAGE,
    )
