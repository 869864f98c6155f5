"""Task lists people really write, through the whole topology: nested PRD-style lists with
dependencies, blocked lists, max_tasks, a person pushing while a task runs (merged, or a clear
conflict), `.devteam.toml`, and the task tree API."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from devteam_cli.demo_project import create_repo
from devteam_cli.local_stack import RunningStack
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import (
    KEY_ENV,
    at_model,
    events,
    file_per_task_scenario,
    git_log,
    git_show,
    push_change,
)
from support import eventually

pytestmark = pytest.mark.e2e

PRD = """\
# Tasks for the profile feature

- [ ] 1.0 Backend
  - [ ] 1.1 Add the profile model
    Store name and e-mail.
  - [ ] 1.2 Add GET /profile (depends: 2.1)
- [ ] 2.0 Frontend
  - [ ] 2.1 Add the profile page
"""


def body(repo: Path, model: ScriptedModelServer, **extra: Any) -> dict[str, Any]:
    return {
        "name": "lists",
        "repo_url": str(repo),
        "verify": ["test -d done"],
        "model": {"name": "openai/scripted", "api_base": model.api_base, "api_key_env": KEY_ENV},
        **extra,
    }


async def register(api: httpx.AsyncClient, payload: dict[str, Any]) -> str:
    created = await api.post("/v1/projects", json=payload)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def run_to_end(
    stack: RunningStack, api: httpx.AsyncClient, project_id: str, **run: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    started = await api.post(f"/v1/projects/{project_id}/runs", json=run)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    frames = await events(stack, run_id)
    return (await api.get(f"/v1/runs/{run_id}")).json(), frames


async def test_nested_list_with_dependencies_runs_in_dependency_order(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    repo = create_repo(tmp_path, {"tasks_list.md": PRD}, "prd", "PRD tasks")
    model.set_scenario(file_per_task_scenario(["1.1", "1.2", "2.1"]))
    project_id = await register(api, body(repo, model))

    tree = (await api.get(f"/v1/projects/{project_id}/tasks")).json()
    assert tree["next_task"] == "1.1" and tree["status"] == "task"
    backend = tree["tasks"][0]
    assert [c["id"] for c in backend["children"]] == ["1.1", "1.2"]
    api_task = backend["children"][1]
    assert api_task["selectable"] is False and "2.1" in api_task["waits"]
    assert backend["selectable"] is None  # a parent is never selected itself

    run, _frames = await run_to_end(stack, api, project_id)
    assert run["state"] == "completed", run["failure"]
    assert [t["id"] for t in run["tasks_done"]] == ["1.1", "2.1", "1.2"]
    final = git_show(repo, "main:tasks_list.md")
    assert final == PRD.replace("[ ]", "[x]")  # parents ticked with their last leaf
    assert sum(a != b for a, b in zip(final, PRD, strict=True)) == 5
    assert [s.split(" ")[0] for s in git_log(repo)] == ["1.2", "2.1", "1.1", "PRD"]


async def test_a_list_with_nothing_selectable_ends_blocked_with_reasons(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    text = "- [x] 1 Done already\n- [ ] 2 Needs 3 (depends: 3)\n- [-] 3 Parked by a person\n"
    repo = create_repo(tmp_path, {"tasks_list.md": text}, "blocked", "blocked list")
    project_id = await register(api, body(repo, model))
    run, frames = await run_to_end(stack, api, project_id)
    assert run["state"] == "blocked"
    reasons = {b["task_id"]: b["reason"] for b in run["blocked"]}
    assert "waits for 3" in reasons["2"]
    assert "skipped" in reasons["3"]
    assert frames[-1]["event"]["type"] == "run.blocked"
    assert git_show(repo, "main:tasks_list.md") == text


async def test_max_tasks_stops_a_continuous_run(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    text = "- [ ] 1 One\n- [ ] 2 Two\n- [ ] 3 Three\n"
    repo = create_repo(tmp_path, {"tasks_list.md": text}, "max", "three tasks")
    model.set_scenario(file_per_task_scenario(["1", "2", "3"]))
    project_id = await register(api, body(repo, model))
    run, _ = await run_to_end(stack, api, project_id, mode="continuous", max_tasks=2)
    assert run["state"] == "completed"
    assert [t["id"] for t in run["tasks_done"]] == ["1", "2"]
    assert git_show(repo, "main:tasks_list.md") == "- [x] 1 One\n- [x] 2 Two\n- [ ] 3 Three\n"


async def test_a_person_pushing_meanwhile_is_merged_and_their_new_task_is_done(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    text = "# Work\n\n- [ ] 1 One\n- [ ] 2 Two\n"
    repo = create_repo(tmp_path, {"tasks_list.md": text, "README.md": "v1\n"}, "moving", "start")
    model.set_scenario(file_per_task_scenario(["1", "2", "3"], delays={"1": 3}))
    project_id = await register(api, body(repo, model))
    started = await api.post(f"/v1/projects/{project_id}/runs", json={})
    run_id = started.json()["run_id"]

    await eventually(lambda: at_model(model, "task-1"), timeout_s=60, what="task 1 at the model")
    added = text + "- [ ] 3 Added by a person while task 1 ran\n"
    push_change(repo, {"tasks_list.md": added, "README.md": "v2\n"}, "Add task 3, README v2")
    await events(stack, run_id)
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert run["state"] == "completed", run["failure"]
    assert [t["id"] for t in run["tasks_done"]] == ["1", "2", "3"]
    assert git_show(repo, "main:tasks_list.md") == added.replace("[ ]", "[x]")
    assert git_show(repo, "main:README.md") == "v2\n"
    assert "Add task 3, README v2" in git_log(repo)


async def test_a_person_editing_the_same_line_is_a_conflict_not_an_overwrite(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    text = "- [ ] 1 Write notes\n- [ ] 2 More\n"
    repo = create_repo(tmp_path, {"tasks_list.md": text}, "conflict", "start")
    model.set_scenario(file_per_task_scenario(["1", "2"], delays={"1": 3}))
    project_id = await register(api, body(repo, model))
    started = await api.post(f"/v1/projects/{project_id}/runs", json={})
    run_id = started.json()["run_id"]

    await eventually(lambda: at_model(model, "task-1"), timeout_s=60, what="task 1 at the model")
    edited = "- [ ] 1 Write better notes\n- [ ] 2 More\n"
    theirs = push_change(repo, {"tasks_list.md": edited}, "Retitle task 1")
    await events(stack, run_id)
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert run["state"] == "failed"
    assert run["failure"]["stage"] == "complete"
    assert "conflict" in run["failure"]["reason"]
    assert "tasks_list.md" in run["failure"]["reason"]
    assert git_show(repo, "main").startswith(f"commit {theirs}")  # nothing forced
    assert git_show(repo, "main:tasks_list.md") == edited


async def test_repository_config_is_used_and_validated(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    config = 'tasks_file = "docs/todo.md"\nverify = ["test -f done/1.txt"]\n'
    files = {".devteam.toml": config, "docs/todo.md": "- [ ] 1 Only task\n"}
    repo = create_repo(tmp_path, files, "configured", "with config")
    model.set_scenario(file_per_task_scenario(["1"]))
    payload = body(repo, model)
    del payload["verify"]  # comes from .devteam.toml
    project_id = await register(api, payload)
    run, frames = await run_to_end(stack, api, project_id)
    assert run["state"] == "completed", run["failure"]
    verifying = [f["event"] for f in frames if f["event"]["type"] == "task.verifying"]
    assert verifying[0]["data"]["commands"] == ["test -f done/1.txt"]
    assert git_show(repo, "main:docs/todo.md") == "- [x] 1 Only task\n"

    bad = create_repo(tmp_path, {".devteam.toml": "verfy = ['x']\n"}, "badcfg", "typo")
    bad_id = await register(api, body(bad, model))
    problem = await api.get(f"/v1/projects/{bad_id}/tasks")
    assert problem.status_code == 422
    assert "verfy: unknown key" in problem.json()["detail"]
    run, _ = await run_to_end(stack, api, bad_id)
    assert run["state"] == "failed" and "verfy: unknown key" in run["failure"]["reason"]


async def test_invalid_task_list_is_a_422_with_line_numbers(
    api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    text = "- [ ] 1 A\n- [ ] 2 B\n- [ ] 1 A again\n- [ ] 4 D (depends: 9)\n"
    repo = create_repo(tmp_path, {"tasks_list.md": text}, "invalid", "dupes")
    project_id = await register(api, body(repo, model))
    response = await api.get(f"/v1/projects/{project_id}/tasks")
    assert response.status_code == 422
    detail = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert detail["kind"] == "tasklist"
    assert detail["lines"] == [1, 3]
