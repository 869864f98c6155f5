"""A run's budget holds: no model request starts once the run has spent it, counted at the
scripted model server itself (the request in flight may overshoot, nothing more)."""

from pathlib import Path
from typing import Any

import httpx
import pytest
from test_implement import run_to_end

from devteam_cli.demo_project import create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import MODEL_KEY, project_body
from support import eventually

pytestmark = pytest.mark.e2e


async def ended(api: httpx.AsyncClient, run_id: str) -> dict[str, Any]:
    """The run once it has ended (as the tenant sees it)."""

    async def state() -> dict[str, Any] | None:
        run: dict[str, Any] = (await api.get(f"/v1/runs/{run_id}")).json()
        return run if run["state"] in ("completed", "failed", "blocked", "cancelled") else None

    return await eventually(state, timeout_s=60, what=f"run {run_id} ended")


def tokens(usage: dict[str, int]) -> int:
    return usage["prompt_tokens"] + usage["completion_tokens"]


async def test_the_request_after_the_budget_is_spent_is_never_sent(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    """Task 1's edit request is allowed (nothing spent yet) and spends the whole budget: Aider's
    next request (the commit message) is refused before it leaves, and the run fails."""
    model.set_scenario(demo_scenario())
    body = project_body(repo, model, limits={"run_max_tokens": 1})
    run, evts = await run_to_end(stack, api, body)

    failure = run["failure"]
    assert (run["state"], failure["stage"], failure["code"], failure["task_id"]) == (
        "failed", "implement", "budget_exceeded", "1")  # fmt: skip
    assert failure["reason"].startswith("the budget is spent: this attempt used ")
    assert "tokens of the 1 the budget had left" in failure["reason"]
    [attempt] = run["attempts"]
    assert attempt["code"] == "budget_exceeded" and attempt["usage"]["requests"] == 1
    assert [r["kind"] for r in model.requests()] == ["edit"]  # the commit message never asked
    assert run["usage"]["requests"] == 1 and tokens(run["usage"]) > 1  # one overshoot only
    assert evts[-1]["type"] == "run.failed" and evts[-1]["data"]["code"] == "budget_exceeded"
    assert run["tasks_done"] == []
    assert run["budget"] == {"run_max_tokens": 1, "run_max_cost_usd": None}  # GET /v1/runs/{id}


async def test_a_run_that_reached_its_budget_starts_no_further_attempt(
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    repo: Path,
    tmp_path: Path,
) -> None:
    """A budget of exactly what task 1 takes: task 1 lands, task 2's attempt never starts."""
    model.set_scenario(demo_scenario())
    measured, _ = await run_to_end(stack, api, project_body(repo, model), mode="single")
    first = next(a for a in measured["attempts"] if a["task_id"] == "1")
    spent_by_task_1 = tokens(first["usage"])
    model.clear_requests()

    fresh = create_demo_repo(tmp_path / "again")
    body = project_body(fresh, model, limits={"run_max_tokens": spent_by_task_1})
    run, evts = await run_to_end(stack, api, body)

    assert [t["id"] for t in run["tasks_done"]] == ["1"]
    failure = run["failure"]
    assert (failure["stage"], failure["code"], failure["task_id"]) == (
        "implement", "budget_exceeded", "2")  # fmt: skip
    assert failure["reason"] == (
        f"the run used {spent_by_task_1} tokens of its budget of {spent_by_task_1}"
    )
    assert [a["task_id"] for a in run["attempts"]] == ["1"]
    assert [r["kind"] for r in model.requests()] == ["edit", "commit_message"]  # task 1 only
    assert "task.implementing" not in [e["type"] for e in evts if e.get("task_id") == "2"]


async def test_a_tenant_over_its_monthly_budget_stops_and_is_refused(
    stack: RunningStack, model: ScriptedModelServer, repo: Path, tmp_path: Path
) -> None:
    """The operator gives a fresh tenant a budget of 1 token a month: its first run may start
    (nothing spent), its second model request is never sent, and a new run is a 402."""
    admin = {"Authorization": f"Bearer {stack.admin_token}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=admin, timeout=30) as operator:
        made = await operator.post("/v1/admin/tenants/frugal/tokens", json={"label": "t"})
        assert made.status_code == 201, made.text
        put = await operator.put("/v1/admin/tenants/frugal/budget", json={"monthly_tokens": 1})
        assert put.status_code == 200, put.text
        assert put.json()["monthly_tokens"] == 1 and put.json()["usage"]["requests"] == 0
        refused = await operator.put("/v1/admin/tenants/frugal/budget",
                                     json={"monthly_tokens": -5})  # fmt: skip
        assert refused.status_code == 422

    tenant = {"Authorization": f"Bearer {made.json()['token']}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=tenant, timeout=30) as api:
        assert (await api.put("/v1/secrets/model-key", json={"value": MODEL_KEY})).is_success
        model.set_scenario(demo_scenario())
        base = project_body(repo, model)
        fields = {k: v for k, v in base["model"].items() if k != "api_key_env"}
        body = {**base, "model": {**fields, "api_key_secret": "model-key"}}
        project_id = (await api.post("/v1/projects", json=body)).json()["id"]
        started = await api.post(f"/v1/projects/{project_id}/runs", json={"mode": "continuous"})
        assert started.status_code == 202, started.text
        run = await ended(api, started.json()["run_id"])
        assert (run["failure"]["code"], run["failure"]["task_id"]) == ("budget_exceeded", "1")
        assert [r["kind"] for r in model.requests()] == ["edit"]

        again = await api.post(f"/v1/projects/{project_id}/runs", json={"mode": "continuous"})
        assert again.status_code == 402, again.text
        assert again.headers["content-type"].startswith("application/problem+json")
        assert "monthly budget of 1" in again.json()["detail"]
        stepped = await api.post(f"/v1/projects/{project_id}/prep", json={})
        assert stepped.status_code == 402
        assert [r["kind"] for r in model.requests()] == ["edit"]  # nothing more was asked

    async with httpx.AsyncClient(base_url=stack.url, headers=admin, timeout=30) as operator:
        view = (await operator.get("/v1/admin/tenants/frugal/budget")).json()
        assert view["usage"]["requests"] == 1 and tokens(view["usage"]) > 1
        audit = (await operator.get("/v1/audit", params={"tenant": "frugal"})).json()
        sets = [f["record"] for f in audit["records"] if f["record"]["action"] == "budget.set"]
        assert [r["detail"] for r in sets] == [{"monthly_tokens": 1, "monthly_cost_usd": None}]
        assert sets[0]["actor"] == "admin" and sets[0]["tenant"] == "frugal"
