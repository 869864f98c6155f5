"""Never losing a run: a stage process killed outright mid-task, and the whole stack stopped
and started again mid-run, both end with the run completed, every task done exactly once."""

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from forge_support import (
    FORGE_ENV,
    commits_over_main,
    creates,
    forge,  # noqa: F401 - the module's loopback forge
    only_pull,
    register,
)

from devteam_cli.demo_project import create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import (
    KEY_ENV,
    MODEL_KEY,
    assert_done_once,
    assert_events_whole,
    at_model,
    events,
    project_body,
    run_project,
)
from fakeforge import FakeForge, PullRecord
from support import eventually

pytestmark = pytest.mark.e2e

GIT_USER, GIT_TOKEN = "x-access-token", "ghp_ResilienceToken0123456789abcdXYZ"
# Short AckWait so a message held by a killed worker comes back quickly; a git token for the
# customer repository served over HTTP (whose requests a test can hold).
ENV = {
    KEY_ENV: MODEL_KEY,
    "DEVTEAM_ENV_SECRETS": f"dev:{KEY_ENV},E2E_GIT_TOKEN",
    "E2E_GIT_TOKEN": GIT_TOKEN,
    "DEVTEAM_GIT_ALLOWED_SCHEMES": "http,https,ssh,file",
    "DEVTEAM_ACK_WAIT_S": "4",
    "DEVTEAM_NAK_DELAY_S": "0.5",
    **FORGE_ENV,
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    with local_stack(tmp_path_factory.mktemp("stack"), ENV) as running:
        yield running


def slow_first(task: str, delay_s: float) -> dict[str, Any]:
    """The demo answers, but the first request for `task` waits `delay_s` at the model."""
    scenario = demo_scenario()
    normal = next(r for r in scenario["rules"] if r["name"] == f"task-{task}")
    slow = {**normal, "name": f"task-{task}-slow", "delay_s": delay_s, "times": 1}
    return {"rules": [slow, *scenario["rules"]]}


async def test_a_killed_worker_is_restarted_and_the_task_redelivered(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    repo = create_demo_repo(tmp_path)
    model.set_scenario(slow_first("1", 30))
    created = (await api.post("/v1/projects", json=project_body(repo, model))).json()
    run_id = (await api.post(f"/v1/projects/{created['id']}/runs", json={})).json()["run_id"]
    await eventually(lambda: at_model(model, "task-1-slow"), timeout_s=60, what="Aider waiting")
    pids = json.loads((stack.data_dir / "stack.json").read_text())["pids"]
    for name, pid in pids.items():
        if name.startswith("implement-"):  # every replica: the attempt is on one of them
            os.kill(pid, signal.SIGKILL)  # no drain, no ack: JetStream must redeliver

    frames = await events(stack, run_id)
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert_done_once(repo, run)
    types = [f["event"]["type"] for f in frames if f["event"]["type"] != "log"]
    assert types.count("task.completed") == 3
    log = (stack.data_dir / "devteam-up.log").read_text()
    assert "implement-1 exited (-9); restarting" in log


async def test_a_verify_worker_killed_mid_check_is_restarted_and_the_check_rerun(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    repo = create_demo_repo(tmp_path)
    model.set_scenario(demo_scenario())
    marker = f"check-started-{os.getpid()}-{id(tmp_path)}"
    # The check marks (in its worktree: the sandbox shows it nothing else writable) that it
    # started, then takes a while: the worker dies in the middle.
    slow_check = f"touch {marker}; sleep 3; python -m pytest -q -p no:cacheprovider"
    body = project_body(repo, model, verify=[slow_check])
    created = (await api.post("/v1/projects", json=body)).json()
    run_id = (await api.post(f"/v1/projects/{created['id']}/runs", json={})).json()["run_id"]

    async def checking() -> bool:
        return any(stack.data_dir.glob(f"services/verify-*/workspaces/*/*/tree/{marker}"))

    await eventually(checking, timeout_s=60, what="the first check running")
    pids = json.loads((stack.data_dir / "stack.json").read_text())["pids"]
    for name, pid in pids.items():
        if name.startswith("verify-"):
            os.kill(pid, signal.SIGKILL)
    frames = await events(stack, run_id)
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert_done_once(repo, run)
    assert_events_whole(frames)
    assert "verify-1 exited (-9); restarting" in (stack.data_dir / "devteam-up.log").read_text()


def pushable_demo_repo(root: Path) -> Path:
    """The demo repository, accepting pushes over smart HTTP."""
    bare = create_demo_repo(root)
    subprocess.run(["git", "config", "http.receivepack", "true"], cwd=bare, check=True)
    return bare


def pids_of(stack: RunningStack) -> dict[str, int]:
    return dict(json.loads((stack.data_dir / "stack.json").read_text())["pids"])


async def test_nats_killed_mid_run_is_restarted_and_the_run_completes(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    repo = create_demo_repo(tmp_path)
    model.set_scenario(slow_first("2", 5))
    created = (await api.post("/v1/projects", json=project_body(repo, model))).json()
    run_id = (await api.post(f"/v1/projects/{created['id']}/runs", json={})).json()["run_id"]
    await eventually(lambda: at_model(model, "task-2-slow"), timeout_s=60, what="Aider waiting")
    old = json.loads((stack.data_dir / "stack.json").read_text())["pids"]["nats-server"]
    os.kill(old, signal.SIGKILL)  # the store is all that survives

    async def restarted() -> bool:
        pids = json.loads((stack.data_dir / "stack.json").read_text())["pids"]
        return bool(pids["nats-server"] != old)

    await eventually(restarted, timeout_s=30, what="nats-server restarted")
    frames = await events(stack, run_id)
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert_done_once(repo, run)
    assert_events_whole(frames)
    log = (stack.data_dir / "devteam-up.log").read_text()
    assert "nats-server exited (-9); restarting" in log
    # The services were not restarted: they reconnected.
    assert (
        "gateway-1 exited" not in log
        and "implement-1 exited (-9)" not in log.split("nats-server exited")[-1]
    )


async def test_a_crash_between_opening_and_recording_the_pull_request_opens_no_second(
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    forge: FakeForge,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Landing as a pull request: the selector is killed (SIGKILL) after GitLab stored the
    merge request and before it answers; the redelivered COMPLETE finds it by its branch and
    records it, and no second one is opened."""
    repo = create_demo_repo(tmp_path)
    project = await register(api, forge, model, repo, "gitlab", "acme/crash")
    killed: list[int] = []

    def kill_selectors(pull: PullRecord) -> None:
        if killed or pull.repository != "acme/crash":
            return
        pids = json.loads((stack.data_dir / "stack.json").read_text())["pids"]
        for name, pid in pids.items():
            if name.startswith("selector-"):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    forge.on_create = kill_selectors
    try:
        state, evts = await run_project(stack, api, project, mode="single")
    finally:
        forge.on_create = None
    assert killed, "the forge was never asked to open a merge request"
    assert state["state"] == "completed", state["failure"]
    record = only_pull(forge, "gitlab", "acme/crash")
    assert state["pull_request"] == {"number": record.number, "url": record.html_url}
    assert creates(forge, "gitlab") == 1
    assert len(commits_over_main(repo, state["branch"])) == 1
    assert "selector-1 exited (-9); restarting" in (stack.data_dir / "devteam-up.log").read_text()
    assert evts[-1]["data"]["pull_request"] == state["pull_request"]
