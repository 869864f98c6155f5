"""`devteam up` as an operator uses it: two stacks side by side, and Ctrl-C stops everything."""

import os
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


def test_two_stacks_side_by_side_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    with (
        local_stack(tmp_path / "a") as first,
        local_stack(tmp_path / "b") as second,
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
        assert (tmp_path / "a" / "nats" / "jetstream").is_dir()  # the store is under --data-dir
    assert first.process.returncode == 0 and second.process.returncode == 0
    assert not [pid for pid in pids if alive(pid)]
    log = (tmp_path / "a" / "logs" / "selector.log").read_text()
    assert "selector: stopped" in log  # drained, not killed
    assert os.path.exists(tmp_path / "a" / "logs" / "nats.log")
