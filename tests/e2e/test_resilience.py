"""Never losing a run: a stage process killed outright mid-task, and the whole stack stopped
and started again mid-run, both end with the run completed, every task done exactly once."""

import asyncio
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

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
)
from githttp import serve_git
from support import ancestry, client_process, eventually

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


@pytest.mark.parametrize(
    ("service", "push"),
    [("prep", False), ("selector", True)],
    ids=["prep-fetching", "complete-pushing"],
)
async def test_a_stage_killed_mid_git_request_is_restarted_and_the_run_completes(
    service: str,
    push: bool,
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    tmp_path: Path,
) -> None:
    """PREP killed while it fetches, and COMPLETE (in the selector) killed while it pushes;
    the orphaned `git push` goes on and lands, so the redelivered COMPLETE finds its work
    already done and must not land the task twice."""
    served = tmp_path / "served"
    bare = pushable_demo_repo(served)
    model.set_scenario(demo_scenario())
    with serve_git(served, GIT_USER, GIT_TOKEN) as server:
        replicas = {pid for name, pid in pids_of(stack).items() if name.startswith(service)}

        def pick(line: str, client_port: int) -> bool:
            wanted = not push or "git-receive-pack" in line
            return wanted and bool(replicas & set(ancestry(client_process(client_port))))

        server.hold(pick)
        body = project_body(bare, model)
        body["repo_url"] = server.url_for(bare.name)
        body["credentials"] = {"username": GIT_USER, "token_env": "E2E_GIT_TOKEN"}
        created = (await api.post("/v1/projects", json=body)).json()
        run_id = (await api.post(f"/v1/projects/{created['id']}/runs", json={})).json()["run_id"]

        async def held() -> bool:
            return server.held > 0

        await eventually(held, timeout_s=60, what=f"{service} talking to git")
        for pid in replicas:
            os.kill(pid, signal.SIGKILL)
        server.release()
        frames = await events(stack, run_id)
        run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert_done_once(bare, run)
    assert_events_whole(frames)
    assert f"{service}-1 exited (-9); restarting" in (stack.data_dir / "devteam-up.log").read_text()


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


async def test_the_stack_stopped_and_started_again_finishes_the_run(
    model: ScriptedModelServer, tmp_path: Path
) -> None:
    repo = create_demo_repo(tmp_path / "repo")
    model.set_scenario(slow_first("2", 3))
    data = tmp_path / "stack"
    seen: list[dict[str, Any]] = []
    with local_stack(data, ENV) as first:
        headers = {"Authorization": f"Bearer {first.token}"}
        async with httpx.AsyncClient(base_url=first.url, headers=headers) as api:
            created = (await api.post("/v1/projects", json=project_body(repo, model))).json()
            started = await api.post(f"/v1/projects/{created['id']}/runs", json={})
            run_id = started.json()["run_id"]
        url = first.url.replace("http://", "ws://") + f"/v1/runs/{run_id}/events"
        async with websockets.connect(url, additional_headers=headers) as ws:
            while not await at_model(model, "task-2-slow"):
                seen.append(json.loads(await asyncio.wait_for(ws.recv(), 60)))
        # Leaving the block is Ctrl-C: services drain (the running Aider finishes), NATS stops.
    with local_stack(data, ENV) as second:
        rest = await events(second, run_id, after=seen[-1]["seq"])
        headers = {"Authorization": f"Bearer {second.token}"}
        async with httpx.AsyncClient(base_url=second.url, headers=headers) as api:
            run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert_done_once(repo, run)
    frames = seen + rest
    seqs = [f["seq"] for f in frames]
    assert seqs == sorted(set(seqs)), "no event lost or repeated across the restart"
    completed = [f["event"]["task_id"] for f in frames if f["event"]["type"] == "task.completed"]
    assert completed == ["1", "2", "3"]
