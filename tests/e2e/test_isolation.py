"""Untrusted code stays in its box, through the whole product: on the default `devteam up`
with its data directory where an operator puts it (not under /tmp, whose private copy in the
box would hide it), one tenant's setup and checks try to read the secrets key, NATS's
configuration, store and credentials, another tenant's tree, mirror and HOME, the operator's
home and other processes' environments, and to reach the gateway, NATS and the model server;
every attempt fails and both tenants' runs complete with their own checks passing."""

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devteam_cli.demo_project import VERIFY
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_sandbox import network
from devteam_sandbox.identity import user_for
from devteam_sandbox.sandbox import bwrap_available
from devteam_sandbox.settings import SandboxSettings
from devteam_scripted_model.launcher import ScriptedModelServer

from isolation_probe import ATTACKER, assert_nothing_leaked, attack

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed (make setup)"),
]


@pytest.fixture
def stack_outside_tmp() -> Iterator[RunningStack]:
    data = Path("/var/tmp") / f"devteam-e2e-{uuid.uuid4().hex[:8]}"
    try:
        # two checks at once (the victim's waits while the attacker's runs), on any machine
        with local_stack(data, {"DEVTEAM_VERIFY_CONCURRENCY": "2"}) as stack:
            yield stack
    finally:
        shutil.rmtree(data, ignore_errors=True)


async def test_a_tenant_reaches_nothing_of_the_others_or_the_stack(
    stack_outside_tmp: RunningStack, model: ScriptedModelServer, tmp_path: Path
) -> None:
    stack = stack_outside_tmp
    assert (stack.data_dir.stat().st_mode & 0o777) == 0o700
    verdicts = await attack(stack, model, tmp_path, VERIFY[0])
    user = user_for(ATTACKER, SandboxSettings())  # (the stack's uid base: this environment's)
    assert_nothing_leaked(verdicts, user.uid if user else None)
    sandbox = verdicts["sandbox"]
    assert sandbox["backend"] == "bwrap" and sandbox["network"] == "none"
    assert sandbox["user"]["switched"] is (user is not None)
    if network.available():
        assert "slirp4netns" in sandbox["setup_network"]
