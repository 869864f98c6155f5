"""IMPLEMENT through the whole product: reason codes in the run and its events, a failed repair
reported as the check that failed, and tokens and cost per attempt, run and tenant."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from devteam_cli.demo_project import (
    FILES,
    VERIFY,
    create_repo,
    demo_scenario,
    failing_scenario,
)
from devteam_cli.local_stack import RunningStack
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import git_show, project_body, run_project

pytestmark = pytest.mark.e2e


async def run_to_end(
    stack: RunningStack, api: httpx.AsyncClient, body: dict[str, Any], mode: str = "continuous"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    created = await api.post("/v1/projects", json=body)
    assert created.status_code == 201, created.text
    return await run_project(stack, api, created.json()["id"], mode=mode)


async def test_a_model_that_refuses_the_key_fails_the_run_with_its_code(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    model.set_scenario({"rules": [{"name": "refuse", "status": 401, "reply": "bad key"}]})
    run, evts = await run_to_end(stack, api, project_body(repo, model))

    failure = run["failure"]
    assert (run["state"], failure["stage"], failure["code"]) == ("failed", "implement",
                                                                 "model_auth_error")  # fmt: skip
    assert "HTTP 401" in failure["reason"]
    [attempt] = run["attempts"]
    assert (attempt["code"], attempt["http_status"], attempt["runner"]) == (
        "model_auth_error", 401, "host")  # fmt: skip
    assert [e["type"] for e in evts][-2:] == ["task.attempt_failed", "run.failed"]
    assert evts[-2]["data"]["attempt"]["code"] == "model_auth_error"
    assert evts[-1]["data"]["code"] == "model_auth_error"
    assert [r["rule"] for r in model.requests() if r["kind"] == "edit"] == ["refuse"]


async def test_a_repair_that_changes_nothing_fails_the_task_at_verify_with_the_check_output(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    scenario = failing_scenario()
    scenario["rules"][0] = {"name": "insist", "when": "repair attempt 1",
                            "reply": "My change is correct; the test must be wrong."}  # fmt: skip
    model.set_scenario(scenario)
    body = project_body(repo, model, limits={"repair_attempts": 1})
    run, evts = await run_to_end(stack, api, body)

    failure = run["failure"]
    assert (failure["stage"], failure["code"], failure["task_id"]) == ("verify", "no_change", "1")
    assert failure["reason"] == (
        f"`{VERIFY[0]}` exited with 1 after 2 attempt(s); the last repair made no change"
    )
    assert "1 failed" in failure["output_tail"] and "assert" in failure["output_tail"]
    assert [(a["attempt"], a["code"]) for a in run["attempts"]] == [(1, "changed"),
                                                                    (2, "no_change")]  # fmt: skip
    types = [e["type"] for e in evts]
    assert types.count("task.implementing") == 2
    assert "task.implemented" in types and "task.repair" in types
    assert types[-2:] == ["task.attempt_failed", "run.failed"]


NOTHING = "calc.py already does what the task asks; there is nothing to change."
TEST_ADD = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"


async def test_an_answer_that_changes_nothing_is_checked_and_a_failing_check_goes_back(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    # the task's test is already in the repository, and fails: a model that says there is
    # nothing to do is wrong, and the check's output tells it why
    repo = create_repo(tmp_path, {**FILES, "tests/test_add.py": TEST_ADD}, "calc", "with a test")
    scenario = demo_scenario()
    nothing = {"name": "nothing", "when": "Implement task 1:", "times": 1, "reply": NOTHING}
    scenario["rules"].insert(0, nothing)
    model.set_scenario(scenario)
    run, evts = await run_to_end(stack, api, project_body(repo, model), mode="continuous")

    assert run["state"] == "completed", run.get("failure")
    first = [(a["task_id"], a["attempt"], a["code"]) for a in run["attempts"]][:2]
    assert first == [("1", 1, "no_change"), ("1", 2, "changed")]
    task_one = [e for e in evts if e.get("task_id") == "1"]
    types = [e["type"] for e in task_one]
    assert types.index("task.attempt_failed") < types.index("task.verifying")
    assert types.index("task.verifying") < types.index("task.repair")
    [repair] = [e for e in task_one if e["type"] == "task.repair"]
    assert "attempt 1 changed nothing" in repair["message"]
    edits = [r for r in model.requests() if r["kind"] == "edit"]
    asked = str(edits[1]["messages"])
    assert "repair attempt 1" in asked
    assert "Your previous answer changed nothing" in asked
    assert "checks failed on the code as it is" in asked
    assert "ImportError: cannot import name" in asked, "the failing check's output goes with it"
    assert "def add(a, b)" in git_show(repo, "main:calc.py")


async def test_checks_that_pass_without_a_change_do_not_complete_the_task(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    model.set_scenario({"rules": [{"name": "nothing", "when": "Implement task 1:",
                                   "reply": NOTHING}]})  # fmt: skip
    run, evts = await run_to_end(stack, api, project_body(repo, model))

    failure = run["failure"]
    assert (failure["stage"], failure["code"], failure["task_id"]) == ("implement", "no_change",
                                                                       "1")  # fmt: skip
    assert "changed nothing, and the checks pass without a change" in failure["reason"]
    assert [(a["attempt"], a["code"]) for a in run["attempts"]] == [(1, "no_change")]
    types = [e["type"] for e in evts]
    # the checks ran, and passed, on the tree as it was: that is no evidence the task is done
    assert types[-3:] == ["task.attempt_failed", "task.verifying", "run.failed"]
    assert "- [ ] 1" in git_show(repo, "main:tasks_list.md"), "the task stays open"


async def test_a_change_to_a_protected_test_is_caught(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    # The model "fixes" the task by rewriting the test that checks it.
    reply = "tests/test_smoke.py\n```\ndef test_module_imports():\n    assert True\n```\n"
    model.set_scenario({"rules": [{"name": "cheat", "reply": reply}]})
    before = git_show(repo, "main")
    run, _ = await run_to_end(stack, api, project_body(repo, model, protected=["tests/**"]))

    failure = run["failure"]
    assert (failure["stage"], failure["code"]) == ("implement", "protected_path")
    assert "tests/test_smoke.py" in failure["reason"]
    assert run["attempts"][0]["code"] == "protected_path"
    assert git_show(repo, "main") == before


async def test_tokens_and_cost_are_counted_per_attempt_run_and_tenant(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    before = (await api.get("/v1/usage")).json()
    model.set_scenario(demo_scenario())
    body = project_body(repo, model)
    body["model"] |= {"input_usd_per_mtok": 3.0, "output_usd_per_mtok": 15.0}
    run, evts = await run_to_end(stack, api, body, mode="single")

    assert run["state"] == "completed", run["failure"]
    [attempt] = run["attempts"]
    usage = attempt["usage"]
    assert attempt["code"] == "changed" and attempt["edit_requests"] == 1
    assert usage["prompt_tokens"] > 0 and usage["completion_tokens"] > 0
    assert usage["requests"] == 2  # the edit and Aider's commit message
    expected = (usage["prompt_tokens"] * 3.0 + usage["completion_tokens"] * 15.0) / 1e6
    assert usage["cost_usd"] == pytest.approx(expected, abs=1e-6)
    assert run["usage"] == usage
    implemented = next(e for e in evts if e["type"] == "task.implemented")
    assert implemented["data"]["attempt"]["usage"] == usage
    assert evts[-1]["type"] == "run.completed" and evts[-1]["data"]["usage"] == usage

    after = (await api.get("/v1/usage")).json()
    assert after["runs"] == before["runs"] + 1
    for key in ("prompt_tokens", "completion_tokens", "requests"):
        assert after["usage"][key] == before["usage"][key] + usage[key]
    assert after["usage"]["cost_usd"] == pytest.approx(
        (before["usage"]["cost_usd"] or 0) + usage["cost_usd"], abs=1e-6
    )
