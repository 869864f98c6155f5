"""The whole pipeline through the gateway: SELECT → PREP → IMPLEMENT (real Aider, scripted
model) → VERIFY (real pytest) → COMPLETE (tick, commit, push to the customer's repository)."""

from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.js.errors import NotFoundError

from devteam_bus.connection import connect
from devteam_cli.demo_project import TASKS_LIST, demo_scenario, failing_scenario
from devteam_cli.local_stack import RunningStack
from devteam_contracts.subjects import OBJECTS_BUNDLES
from devteam_scripted_model.launcher import ScriptedModelServer

from aider_support import processes_in
from e2e_client import at_model, events, git_log, git_show, project_body
from support import eventually

pytestmark = pytest.mark.e2e

TASK_STAGES = [
    "task.selected",
    "task.prepared",
    "task.implementing",
    "task.implemented",
    "task.verifying",
    "task.verified",
    "task.completed",
]


async def start(api: httpx.AsyncClient, body: dict[str, Any], mode: str) -> str:
    created = await api.post("/v1/projects", json=body)
    assert created.status_code == 201, created.text
    started = await api.post(f"/v1/projects/{created.json()['id']}/runs", json={"mode": mode})
    assert started.status_code == 202, started.text
    assert started.json()["state"] == "queued"
    return str(started.json()["run_id"])


async def test_three_tasks_run_to_completed(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    model.set_scenario(demo_scenario())
    run_id = await start(api, project_body(repo, model), "continuous")
    frames = await events(stack, run_id)

    seqs = [f["seq"] for f in frames]
    assert seqs == sorted(set(seqs)), "sequences strictly increase"
    milestones = [(f["event"]["type"], f["event"]["task_id"]) for f in frames
                  if f["event"]["type"] != "log"]  # fmt: skip
    expected = [("run.queued", None), ("run.admitted", None)]
    for task in ("1", "2", "3"):
        expected += [(stage, task) for stage in TASK_STAGES]
    expected.append(("run.completed", None))
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert milestones == expected, run["failure"]
    assert any(f["event"]["type"] == "log" and f["event"]["stage"] == "verify" for f in frames)
    verifying = next(f["event"] for f in frames if f["event"]["type"] == "task.verifying")
    sandbox = verifying["data"]["sandbox"]  # which sandbox ran the checks, and its limits
    assert sandbox["backend"] in ("bwrap", "none") and sandbox["limits"]["memory_mb"] > 0
    assert run["state"] == "completed"
    assert [t["id"] for t in run["tasks_done"]] == ["1", "2", "3"]
    assert run["failure"] is None

    # In the customer's repository: every box ticked, nothing else changed, one commit per task.
    final = git_show(repo, "main:tasks_list.md")
    assert final == TASKS_LIST.replace("- [ ] ", "- [x] ")
    assert sum(a != b for a, b in zip(final, TASKS_LIST, strict=True)) == 3
    subjects = git_log(repo)
    assert [s.split(" ")[0] for s in subjects[:3]] == ["3", "2", "1"]
    assert subjects[3] == "Initial calculator project"
    assert len(subjects) == 4
    calc = git_show(repo, "main:calc.py")
    assert "def add(" in calc and "def subtract(" in calc and "def multiply(" in calc
    commits = [t["commit"] for t in run["tasks_done"]]
    assert git_show(repo, "main").startswith(f"commit {commits[-1]}")
    # Aider really talked to the model, for the edits and for its own commit messages.
    kinds = [r["kind"] for r in model.requests()]
    assert kinds.count("edit") >= 3 and kinds.count("commit_message") >= 3
    # Implement's commits reached verify and complete as bundles in NATS (every replica has
    # its own data directory), and they are gone with the run.
    assert await bundle_names(stack, run_id) == []


async def bundle_names(stack: RunningStack, run_id: str) -> list[str]:
    bus = await connect(stack.bus_settings(), "test")
    try:
        obs = await bus.js.object_store(OBJECTS_BUNDLES)
        try:
            entries = await obs.list(ignore_deletes=True)
        except NotFoundError:
            return []
        return [e.name for e in entries if e.name and e.name.startswith(f"{run_id}/")]
    finally:
        await bus.close()


async def test_failing_task_stops_the_run_at_verify(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    model.set_scenario(failing_scenario())
    before = git_show(repo, "main")
    body = project_body(repo, model, limits={"repair_attempts": 1})
    run_id = await start(api, body, "continuous")
    frames = await events(stack, run_id)

    types = [f["event"]["type"] for f in frames if f["event"]["type"] != "log"]
    assert types[-1] == "run.failed"
    assert types.count("task.implementing") == 2  # the first try and one repair
    assert "task.repair" in types
    assert "task.completed" not in types
    assert {f["event"]["task_id"] for f in frames if f["event"]["task_id"]} == {"1"}

    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert run["state"] == "failed"
    failure = run["failure"]
    assert (failure["stage"], failure["task_id"]) == ("verify", "1")
    assert "exited with 1" in failure["reason"]
    assert "1 failed" in failure["output_tail"]
    assert "assert" in failure["output_tail"]
    # Stop-on-error: the customer's branch and task list are untouched.
    assert git_show(repo, "main") == before
    assert git_show(repo, "main:tasks_list.md") == TASKS_LIST
    repairs = [r for r in model.requests() if r["rule"] == "repair-1"]
    assert repairs, "the failing output was sent back to Aider"


async def test_late_client_gets_exactly_the_events_after_seq(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    model.set_scenario(demo_scenario())
    run_id = await start(api, project_body(repo, model), "single")
    everything = await events(stack, run_id)
    assert everything[-1]["event"]["type"] == "run.completed"
    assert git_show(repo, "main:tasks_list.md").count("- [x]") == 1  # single: one task
    for cut in (0, 3, len(everything) - 2):
        after = everything[cut]["seq"]
        assert await events(stack, run_id, after=after) == everything[cut + 1 :]


async def test_cancel_kills_the_running_aider_and_frees_the_project(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    slow = {"rules": [{"name": "stall", "when": "Implement task 1:", "delay_s": 120, "reply": ""}]}
    model.set_scenario(slow)
    body = project_body(repo, model)
    created = (await api.post("/v1/projects", json=body)).json()
    run_id = (await api.post(f"/v1/projects/{created['id']}/runs", json={})).json()["run_id"]
    workspaces = (stack.data_dir / "services").resolve()  # every replica's own trees

    await eventually(lambda: at_model(model, "stall"), timeout_s=60, what="Aider asking the model")
    assert processes_in(workspaces), "Aider runs in the task's worktree"
    cancelled = await api.post(f"/v1/runs/{run_id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    frames = await events(stack, run_id)
    assert frames[-1]["event"]["type"] == "run.cancelled"

    async def aider_gone() -> bool:
        return not processes_in(workspaces)

    await eventually(aider_gone, timeout_s=20, what="Aider's process group killed")

    async def cancelled_attempt() -> bool:
        run = (await api.get(f"/v1/runs/{run_id}")).json()
        return [a["code"] for a in run["attempts"]] == ["cancelled"]

    await eventually(cancelled_attempt, timeout_s=20, what="the cancelled attempt recorded")
    assert (await api.post(f"/v1/runs/{run_id}/cancel")).json()["state"] == "cancelled"
    again = await api.post(f"/v1/projects/{created['id']}/runs", json={})
    assert again.status_code == 202, "the project lock was released"
    await api.post(f"/v1/runs/{again.json()['run_id']}/cancel")
    assert git_show(repo, "main:tasks_list.md") == TASKS_LIST
