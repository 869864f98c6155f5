"""A run's budget holds: no model request starts once the run has spent it, counted at the
scripted model server itself (the request in flight may overshoot, nothing more)."""

from pathlib import Path

import httpx
import pytest
from test_implement import run_to_end

from devteam_cli.demo_project import create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import project_body

pytestmark = pytest.mark.e2e


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
    assert "budget" in failure["reason"] and "left in the budget" in failure["reason"]
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
    measured, _ = await run_to_end(stack, api, project_body(repo, model))
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
