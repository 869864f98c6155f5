"""The Docker sandbox backend against a real engine (`make test-docker`): `DOCKER_HOST` must
reach one, and the node toolchain image must be built (the target does both)."""

import os

import pytest

NODE_IMAGE = os.environ.get("DEVTEAM_TEST_NODE_IMAGE", "devteam-node:bookworm")


@pytest.fixture(autouse=True)
def docker_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    import docker

    try:
        docker.from_env(timeout=10).images.get(NODE_IMAGE)
    except Exception as exc:  # a clear failure, never a silent skip: this target needs it
        pytest.fail(f"no Docker engine with {NODE_IMAGE} ({exc}); run `make test-docker`")
    monkeypatch.setenv("DEVTEAM_SANDBOX", "docker")
    monkeypatch.setenv("DEVTEAM_SANDBOX_IMAGES", NODE_IMAGE)
    monkeypatch.setenv("DEVTEAM_SANDBOX_DEFAULT_IMAGE", NODE_IMAGE)
