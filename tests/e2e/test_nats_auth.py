"""`devteam up`'s NATS asks for credentials, and they stay with the processes they belong to:
tried for real on the shared stack (no stack of its own).

The permissions of each identity are attacked one by one in
tests/integration/test_bus_permissions.py (one nats-server with the same authorization block)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nats
import nats.errors
import pytest

from devteam_bus.connection import NatsAuthError, connect
from devteam_bus.credentials import load, new_seed, render
from devteam_bus.nats_auth import Identity
from devteam_bus.settings import BusSettings
from devteam_cli.local_stack import RunningStack
from devteam_contracts.subjects import STREAM_EVENTS

pytestmark = pytest.mark.e2e
EXE = str(Path(sys.executable).parent / "devteam")


async def test_the_stacks_nats_refuses_clients_without_its_credentials(
    stack: RunningStack, tmp_path: Path
) -> None:
    for url in stack.nats_url.split(","):
        with pytest.raises(nats.errors.Error, match="Authorization Violation"):
            await nats.connect(url, allow_reconnect=False, connect_timeout=2)
    stranger = tmp_path / "stranger.nk"  # a key of the right form that the stack never made
    stranger.write_text(render(Identity.OPERATOR, new_seed()))
    with pytest.raises(NatsAuthError, match="refused"):
        await connect(BusSettings(nats_url=stack.nats_url, nats_credentials=stranger), "x")
    bus = await connect(stack.bus_settings(), "test")  # the operator's own get in
    try:
        assert (await bus.js.stream_info(STREAM_EVENTS)).config.name == STREAM_EVENTS
    finally:
        await bus.close()


def as_nobody(path: Path, *probe: str) -> subprocess.CompletedProcess[str]:
    """Run `probe` on `path` as `nobody`, handed an O_PATH descriptor of it: the directories
    above it are passed over (nobody "can see it"), only its own mode decides."""
    fd = os.open(path, os.O_PATH)
    try:
        return subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
             *probe, f"/proc/self/fd/{fd}/" if path.is_dir() else f"/proc/self/fd/{fd}"],
            pass_fds=(fd,), capture_output=True, text=True, timeout=10,
        )  # fmt: skip
    finally:
        os.close(fd)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")
def test_an_unprivileged_user_reads_none_of_the_stacks_secrets(
    stack: RunningStack, tmp_path: Path
) -> None:
    """As `nobody` (what untrusted work runs as), even where it could reach the paths."""
    control = tmp_path / "public.txt"  # the probe works: what anyone may read, nobody reads
    control.write_text("public")
    control.chmod(0o644)
    assert as_nobody(control, "cat").stdout == "public"
    data = stack.data_dir
    files = [data / "nats-auth" / f"{who.value}.nk" for who in Identity]
    files += [data / "nats-auth" / "nats-route.secret", data / "secrets.key"]
    files += [data / "nats-server.conf"]
    for path in files:
        done = as_nobody(path, "cat")
        assert done.returncode != 0 and "Permission denied" in done.stderr, (path, done)
    for path in (data, data / "nats-auth", data / "nats"):  # the store: every tenant's data
        done = as_nobody(path, "ls")
        assert done.returncode != 0 and "Permission denied" in done.stderr, (path, done)


def test_credentials_reach_each_service_as_a_path_never_in_argv_or_environment(
    stack: RunningStack,
) -> None:
    seeds = {who: load(stack.credentials(who.value)).seed for who in Identity}
    route_secret = (stack.data_dir / "nats-auth" / "nats-route.secret").read_text().strip()
    for name, pid in stack.pids.items():
        environ = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        for seed in [*seeds.values(), route_secret]:
            assert seed not in environ and seed not in argv, name
        variables = dict(v.split("=", 1) for v in environ.split("\0") if "=" in v)
        if name.startswith("nats"):
            assert "DEVTEAM_NATS_CREDENTIALS" not in variables
            continue
        service = name.rsplit("-", 1)[0]
        assert variables["DEVTEAM_NATS_CREDENTIALS"] == str(stack.credentials(service))


def test_the_operator_cli_finds_the_stacks_nats_and_credentials_next_to_it(
    stack: RunningStack,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEVTEAM_NATS_")}
    env["DEVTEAM_DATA_DIR"] = str(stack.data_dir)
    info = json.loads((stack.data_dir / "stack.json").read_text())
    assert info["nats_credentials"]["operator"] == str(stack.nats_credentials)
    done = subprocess.run([EXE, "status", "--json"], env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    services = {s["service"] for s in json.loads(done.stdout)["services"]}
    assert services == {"gateway", "selector", "prep", "implement", "verify"}
