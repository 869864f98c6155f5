"""Never losing a run, continued: the whole stack stopped (Ctrl-C) and started again mid-run
on the same data directory finishes the run, with no event lost or repeated."""

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from test_resilience import ENV, slow_first

from devteam_cli.demo_project import create_demo_repo
from devteam_cli.local_stack import local_stack
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import assert_done_once, at_model, events, project_body

pytestmark = pytest.mark.e2e


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
                frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if "event" in frame:  # not a heartbeat
                    seen.append(frame)
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
