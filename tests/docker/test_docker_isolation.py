"""The isolation attack of `tests/e2e/test_isolation.py` with the Docker backend: `devteam up`
with DEVTEAM_SANDBOX=docker, its data directory under /var/tmp; one tenant's setup and checks,
each in a container of their own, try to reach the other tenant, the stack's files and its
services. Every attempt fails and both runs complete."""

import os
import shutil
import uuid
from pathlib import Path

from conftest import NODE_IMAGE

from devteam_cli.local_stack import local_stack
from devteam_sandbox import network
from devteam_sandbox.identity import user_for
from devteam_sandbox.settings import SandboxSettings
from devteam_scripted_model.launcher import scripted_model_server

from isolation_probe import ATTACKER, assert_nothing_leaked, attack

# The node image has no Python: the project's own check is a plain one.
OWN_CHECK = "grep -q 'def add' calc.py"


async def test_a_tenant_reaches_nothing_of_the_others_or_the_stack_with_docker(
    tmp_path: Path,
) -> None:
    data = Path("/var/tmp") / f"devteam-docker-e2e-{uuid.uuid4().hex[:8]}"
    env = {
        "DEVTEAM_SANDBOX": "docker",
        "DEVTEAM_SANDBOX_IMAGES": NODE_IMAGE,
        "DEVTEAM_SANDBOX_DEFAULT_IMAGE": NODE_IMAGE,
        "DOCKER_HOST": os.environ.get("DOCKER_HOST", ""),
        "DEVTEAM_VERIFY_CONCURRENCY": "2",
    }
    try:
        with scripted_model_server() as model, local_stack(data, env) as stack:
            verdicts = await attack(stack, model, tmp_path, OWN_CHECK)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    user = user_for(ATTACKER, SandboxSettings())  # (the stack's uid base: this environment's)
    assert_nothing_leaked(verdicts, user.uid if user else None)
    sandbox = verdicts["sandbox"]
    assert sandbox["backend"] == "docker" and sandbox["network"] == "none"
    if network.available():
        assert "slirp4netns" in sandbox["setup_network"]
