"""Step mode: `/prep`, `/implement` and `/verify` drive one task a stage at a time. The run
pauses between the steps, a call out of order is a 409 naming the expected step, a repeated
call with the same `Idempotency-Key` is a no-op, a failed check pauses the run for a repair,
and passing checks land the task exactly once."""

from typing import Any

import httpx
import pytest

from devteam_cli.demo_project import TASKS_LIST, demo_scenario, failing_scenario
from devteam_cli.local_stack import RunningStack
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import events, git_log, git_show, project_body
from support import eventually

pytestmark = pytest.mark.e2e


async def paused_for(api: httpx.AsyncClient, run_id: str, step: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        run = (await api.get(f"/v1/runs/{run_id}")).json()
        assert run["state"] not in ("failed", "completed", "cancelled"), run["failure"]
        return run if run["state"] == "paused" and run["next_step"] == step else None

    return await eventually(probe, timeout_s=60, what=f"paused before {step}")


async def test_one_task_step_by_step_lands_once(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Any
) -> None:
    model.set_scenario(demo_scenario())
    project = (await api.post("/v1/projects", json=project_body(repo, model))).json()
    base = f"/v1/projects/{project['id']}"
    started = await api.post(f"{base}/prep", json={})
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    run = await paused_for(api, run_id, "implement")
    assert run["mode"] == "step" and run["current"]["id"] == "1"

    early = await api.post(f"{base}/verify", json={"run_id": run_id})
    assert early.status_code == 409 and "expected step is implement" in early.json()["detail"]
    key = {"Idempotency-Key": "impl-1"}
    first = await api.post(f"{base}/implement", json={"run_id": run_id}, headers=key)
    again = await api.post(f"{base}/implement", json={"run_id": run_id}, headers=key)
    assert first.status_code == again.status_code == 202
    await paused_for(api, run_id, "verify")
    late = await api.post(f"{base}/implement", json={"run_id": run_id})
    assert late.status_code == 409 and "expected step is verify" in late.json()["detail"]
    assert (await api.post(f"{base}/verify", json={"run_id": run_id})).status_code == 202
    frames = await events(stack, run_id)
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert run["state"] == "completed", run["failure"]
    assert [t["id"] for t in run["tasks_done"]] == ["1"]
    assert git_show(repo, "main:tasks_list.md") == TASKS_LIST.replace("- [ ] ", "- [x] ", 1)
    assert len(git_log(repo)) == 2  # the initial commit and the task's one
    types = [f["event"]["type"] for f in frames if f["event"]["type"] != "log"]
    assert types.count("run.paused") == 2 and types.count("task.implementing") == 1
    gone = await api.post(f"{base}/verify", json={"run_id": run_id})
    assert gone.status_code == 409 and "completed" in gone.json()["detail"]


async def test_a_failed_check_pauses_for_a_repair_that_gets_the_output(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Any
) -> None:
    model.set_scenario(failing_scenario())
    project = (await api.post("/v1/projects", json=project_body(repo, model))).json()
    base = f"/v1/projects/{project['id']}"
    run_id = (await api.post(f"{base}/prep", json={"task_id": "1"})).json()["run_id"]
    await paused_for(api, run_id, "implement")
    await api.post(f"{base}/implement", json={"run_id": run_id})
    await paused_for(api, run_id, "verify")
    await api.post(f"{base}/verify", json={"run_id": run_id})
    run = await paused_for(api, run_id, "implement")
    assert "python -m pytest" in run["paused_reason"]
    repair = run["parked"]["command"]
    assert repair["attempt"] == 2 and repair["failed_check"]["output_tail"]
    await api.post(f"{base}/implement", json={"run_id": run_id})
    await paused_for(api, run_id, "verify")
    assert any(a["attempt"] == 2 for a in (await api.get(f"/v1/runs/{run_id}")).json()["attempts"])
    await api.post(f"/v1/runs/{run_id}/cancel")


async def test_a_task_that_cannot_be_picked_fails_the_step_run_saying_why(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Any
) -> None:
    project = (await api.post("/v1/projects", json=project_body(repo, model))).json()
    started = await api.post(f"/v1/projects/{project['id']}/prep", json={"task_id": "9"})
    run_id = started.json()["run_id"]
    await events(stack, run_id)
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert run["state"] == "failed"
    assert run["failure"]["code"] == "task_not_selectable"
    assert "no task 9" in run["failure"]["reason"]
    bad = await api.post(f"/v1/projects/{project['id']}/prep", json={"task_id": "no spaces"})
    assert bad.status_code == 422
