"""Admission through the REST API on a stack with tight caps: a run over a cap waits in
`queued` with its position and the cap it waits on, tenants are admitted round-robin, a full
queue answers 429 with `Retry-After`, a queued run can be cancelled, and a freed slot starts
the next run."""

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devteam_bus.connection import connect
from devteam_cli.demo_project import create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server
from devteam_tenants.tokens import TokenStore, new_token

from e2e_client import ALLOW_KEY, KEY_ENV, MODEL_KEY, at_model, events, project_body
from support import eventually

pytestmark = pytest.mark.e2e

CAPS = {
    "DEVTEAM_MAX_ACTIVE_RUNS": "1",
    "DEVTEAM_TENANT_MAX_ACTIVE_RUNS": "1",
    "DEVTEAM_TENANT_MAX_QUEUED_RUNS": "1",
}


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    data = tmp_path_factory.mktemp("tight")
    with local_stack(data, {KEY_ENV: MODEL_KEY, **ALLOW_KEY, **CAPS}) as running:
        yield running


async def start(
    client: httpx.AsyncClient, repo: Path, model: ScriptedModelServer, name: str
) -> httpx.Response:
    body = project_body(repo, model, name=name)
    created = await client.post("/v1/projects", json=body)
    assert created.status_code == 201, created.text
    return await client.post(f"/v1/projects/{created.json()['id']}/runs", json={"mode": "single"})


async def test_runs_over_the_caps_wait_fairly_and_start_when_a_slot_frees(
    tight: RunningStack, tmp_path: Path
) -> None:
    other_token = new_token()
    bus = await connect(tight.bus_settings(), "test")
    await TokenStore(bus).add(other_token, "globex")
    await bus.close()
    stall = {"rules": [{"name": "stall", "when": "Implement task 1:", "delay_s": 120}]}
    dev = httpx.AsyncClient(
        base_url=tight.url, headers={"Authorization": f"Bearer {tight.token}"}, timeout=30
    )
    globex = httpx.AsyncClient(
        base_url=tight.url, headers={"Authorization": f"Bearer {other_token}"}, timeout=30
    )
    with scripted_model_server() as slow, scripted_model_server() as fine:
        slow.set_scenario(stall)
        fine.set_scenario(demo_scenario())
        async with dev, globex:
            first = (await start(dev, create_demo_repo(tmp_path / "a"), slow, "a")).json()
            await eventually(lambda: at_model(slow, "stall"), timeout_s=60, what="a running")
            waiting = (await start(dev, create_demo_repo(tmp_path / "b"), fine, "b")).json()
            assert waiting["state"] == "queued"
            queue = (await dev.get(f"/v1/runs/{waiting['run_id']}")).json()["queue"]
            assert queue["position"] == 1 and queue["waiting_on"] == "tenant_cap"

            full = await start(dev, create_demo_repo(tmp_path / "c"), fine, "c")
            assert full.status_code == 429
            assert int(full.headers["Retry-After"]) > 0
            assert "already has 1 queued run" in full.json()["detail"]

            # Another tenant's first run goes ahead of dev's second: round-robin.
            theirs = (await start(globex, create_demo_repo(tmp_path / "d"), fine, "d")).json()
            mine: dict[str, Any] = (await dev.get(f"/v1/runs/{waiting['run_id']}")).json()
            their: dict[str, Any] = (await globex.get(f"/v1/runs/{theirs['run_id']}")).json()
            assert their["queue"]["position"] == 1 and their["queue"]["waiting_on"] == "global_cap"
            assert mine["queue"]["position"] == 2

            cancelled = await dev.post(f"/v1/runs/{waiting['run_id']}/cancel")
            assert cancelled.json()["state"] == "cancelled"  # a queued run can be cancelled
            assert (await dev.post(f"/v1/runs/{first['run_id']}/cancel")).status_code == 200

            # The freed slot starts globex's run, which completes.
            stack_for_globex = dataclasses.replace(tight, token=other_token)
            frames = await events(stack_for_globex, theirs["run_id"])
            types = [f["event"]["type"] for f in frames if f["event"]["type"] != "log"]
            assert types[:2] == ["run.queued", "run.admitted"]
            assert types[-1] == "run.completed"
            admitted = next(f["event"] for f in frames if f["event"]["type"] == "run.admitted")
            assert admitted["data"]["queued_s"] > 0
            done = (await globex.get(f"/v1/runs/{theirs['run_id']}")).json()
            assert done["queue"] is None and done["state"] == "completed"
            cancelled_run = (await dev.get(f"/v1/runs/{waiting['run_id']}")).json()
            assert cancelled_run["tasks_done"] == [] and cancelled_run["selections"] == 0
