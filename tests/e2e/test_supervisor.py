"""`devteam up` as an operator uses it: two stacks side by side, and Ctrl-C stops everything."""

import os
import time
from pathlib import Path

import httpx
import pytest

from devteam_cli.local_stack import local_stack

pytestmark = pytest.mark.e2e


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and alive(int(entry.name)):
            try:
                stat = (entry / "stat").read_text()
            except FileNotFoundError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def aider_host_of(implement_pid: int) -> int | None:
    for pid in children_of(implement_pid):
        try:
            if b"aider_host.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except FileNotFoundError:
            continue
    return None


def test_two_stacks_side_by_side_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    with (
        local_stack(tmp_path / "a") as first,
        # No Aider host here: this stack never runs Aider, and starting one costs seconds.
        local_stack(
            tmp_path / "b", {"DEVTEAM_AIDER_HOST": "false"}, scale={"prep": 2, "verify": 3}
        ) as second,
    ):
        assert first.url != second.url
        for stack in (first, second):
            auth = {"Authorization": f"Bearer {stack.token}"}
            # The token given in DEVTEAM_API_TOKEN is the one that works, and only on its stack.
            assert httpx.get(f"{stack.url}/v1/runs/run-x", headers=auth).status_code == 404
        wrong = {"Authorization": f"Bearer {second.token}"}
        assert httpx.get(f"{first.url}/v1/runs/run-x", headers=wrong).status_code == 401
        pids = [*first.pids.values(), *second.pids.values()]
        assert all(alive(pid) for pid in pids)
        deadline = time.monotonic() + 60
        while (host := aider_host_of(first.pids["implement-1"])) is None:
            assert time.monotonic() < deadline, "the Aider host did not start"
            time.sleep(0.1)
        pids.append(host)
        assert aider_host_of(second.pids["implement-1"]) is None
        assert (tmp_path / "a" / "nats" / "jetstream").is_dir()  # the store is under --data-dir
        assert sorted(second.pids) == [
            "gateway-1", "implement-1", "nats-server", "prep-1", "prep-2", "selector-1",
            "verify-1", "verify-2", "verify-3",
        ]  # fmt: skip
        up_log = (tmp_path / "b" / "devteam-up.log").read_text()
        assert f"verify-3 (pid {second.pids['verify-3']})" in up_log  # it says what it started
        # every process its own data directory, as on its own machine
        assert (tmp_path / "b" / "services" / "verify-3").is_dir()
        # checks run with the checkout's lean toolchain (make setup), not the dev environment
        environ = Path(f"/proc/{second.pids['verify-3']}/environ").read_bytes().split(b"\0")
        toolchain = Path(__file__).resolve().parents[2] / ".tools" / "toolchain" / "bin"
        assert f"DEVTEAM_TOOLCHAIN={toolchain}".encode() in environ
    assert first.process.returncode == 0 and second.process.returncode == 0
    assert not [pid for pid in pids if alive(pid)]
    log = (tmp_path / "a" / "logs" / "selector-1.log").read_text()
    assert "selector: stopped" in log  # drained, not killed
    assert os.path.exists(tmp_path / "a" / "logs" / "nats.log")
