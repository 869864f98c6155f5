"""Landing as a pull request, on the real stack: the run's tasks land on its own branch of
the bare repository (never on `main`), and one pull request per run is opened on a loopback
forge that checks every request against the forge's published API description (GitHub's
`@octokit/openapi`, Gitea's and GitLab's from APIs.guru: tests/fakeforge)."""

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from forge_support import (
    commits_over_main,
    creates,
    forge,  # noqa: F401 - the module's loopback forge
    git,
    only_pull,
    register,
)

from devteam_bus.connection import connect
from devteam_cli.demo_project import create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack
from devteam_contracts.subjects import STREAM_COMMANDS, Stage, command_subject
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import VERIFY, events, run_project
from fakeforge import FakeForge, PullRecord
from fakeforge.fixtures import FORGE_TOKEN
from support import eventually

pytestmark = pytest.mark.e2e
# The session's stack (tests/e2e/conftest.py: two replicas of every stage, `FORGE_ENV`): a
# duplicate command races the first on the other selector.


def ticks(repo: Path, ref: str) -> list[str]:
    """The task-list lines of `ref` that are ticked."""
    text = git(repo, "show", f"{ref}:tasks_list.md")
    return [line for line in text.splitlines() if "[x]" in line]


async def test_a_run_lands_on_its_branch_and_the_next_run_continues_its_pull_request(
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    forge: FakeForge,  # noqa: F811
    tmp_path: Path,
) -> None:
    repo = create_demo_repo(tmp_path)
    main = git(repo, "rev-parse", "main")
    project = await register(api, forge, model, repo, "github", "acme/calc")

    first, evts = await run_project(stack, api, project, max_tasks=2)
    assert first["state"] == "completed", first["failure"]
    branch, pull = first["branch"], first["pull_request"]
    assert branch == f"devteam/{first['id']}"
    assert git(repo, "rev-parse", "main") == main  # the target branch is never pushed
    subjects = commits_over_main(repo, branch)
    assert [s.split()[0] for s in subjects] == ["2", "1"]  # one commit per task, with its tick
    assert len(ticks(repo, branch)) == 2 and ticks(repo, "main") == []
    record = only_pull(forge, "github", "acme/calc")
    assert (record.head, record.base, record.state) == (branch, "main", "open")
    assert pull == {"number": record.number, "url": record.html_url}
    assert len(record.bodies) == 2  # opened with task 1, described again with task 2
    assert "| `1` |" in record.bodies[0] and "| `2` |" not in record.bodies[0]
    assert "| `2` |" in record.body and f"`{VERIFY[0]}`" in record.body  # its checks
    completed = [e for e in evts if e["type"] == "task.completed"]
    assert [e["data"]["pull_request"] for e in completed] == [pull, pull]
    assert {e["data"]["branch"] for e in completed} == {branch}
    assert (evts[-1]["type"], evts[-1]["data"]["pull_request"]) == ("run.completed", pull)
    # The project's task list, as the team sees it: the open pull request's.
    tree = (await api.get(f"/v1/projects/{project}/tasks")).json()
    assert (tree["branch"], tree["pull_request"], tree["next_task"]) == (branch, pull, "3")
    assert [t["state"] for t in tree["tasks"]] == ["done", "done", "open"]

    # A new run while the pull request is open continues its branch and its pull request,
    # from the ticks already made: only task 3 is asked of the model.
    asked = len(model.requests())
    second, evts = await run_project(stack, api, project)
    assert second["state"] == "completed", second["failure"]
    assert (second["branch"], second["pull_request"]) == (branch, pull)
    assert [t["id"] for t in second["tasks_done"]] == ["3"]
    assert {r["rule"] for r in model.requests()[asked:]} == {"task-3", "commit-multiply"}
    assert len(ticks(repo, branch)) == 3 and git(repo, "rev-parse", "main") == main
    record = only_pull(forge, "github", "acme/calc")
    assert creates(forge, "github") == 1
    assert record.body.index(f"run {first['id']} -->") < record.body.index(
        f"run {second['id']} -->"
    )  # each run has its section
    # The token went to the forge call only: not in events, runs or the stack's logs.
    seen = json.dumps([first, second, evts]) + (stack.data_dir / "devteam-up.log").read_text()
    assert FORGE_TOKEN not in seen
    github = [r for r in forge.requests if r.kind == "github"]
    assert all(r.authorized for r in github)
    assert {r.headers.get("accept") for r in github} == {"application/vnd.github+json"}


async def test_a_duplicate_complete_command_opens_no_second_pull_request(
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    forge: FakeForge,  # noqa: F811
    tmp_path: Path,
) -> None:
    """While Gitea holds its answer to the first COMPLETE's request, the same command is
    published again and handled whole by the other selector: it finds the pull request by its
    branch. Then the first gets its answer: one pull request."""
    repo = create_demo_repo(tmp_path)
    project = await register(api, forge, model, repo, "gitea", "acme/dup")
    loop = asyncio.get_running_loop()
    operator = await connect(stack.bus_settings(), "test-operator")
    verify = await connect(stack.bus_settings(nats_credentials=stack.credentials("verify")), "dup")
    subject = command_subject(Stage.COMPLETE, "dev", project)
    duplicated: list[str] = []

    async def duplicate_and_wait(run_id: str) -> None:
        held = await operator.js.get_last_msg(STREAM_COMMANDS, subject)  # unacked: still there
        await verify.js.publish(subject, held.data, headers={"Nats-Msg-Id": f"dup-{run_id}"})
        duplicated.append(run_id)

        async def done_by_the_duplicate() -> bool:
            state = (await api.get(f"/v1/runs/{run_id}")).json()
            return state["state"] == "completed"

        await eventually(done_by_the_duplicate, timeout_s=30, what="the duplicate handled")

    def on_create(pull: PullRecord) -> None:
        if pull.repository == "acme/dup" and not duplicated:
            run_id = pull.head.removeprefix("devteam/")
            asyncio.run_coroutine_threadsafe(duplicate_and_wait(run_id), loop).result(60)

    forge.on_create = on_create
    try:
        state, _ = await run_project(stack, api, project, mode="single")
    finally:
        forge.on_create = None
        await operator.close()
        await verify.close()
    assert duplicated == [state["id"]]
    assert state["state"] == "completed", state["failure"]

    async def first_answered() -> bool:  # (the forge answers the first request only now)
        return creates(forge, "gitea") > 0

    await eventually(first_answered, timeout_s=30, what="the first request answered")
    record = only_pull(forge, "gitea", "acme/dup")
    assert state["pull_request"] == {"number": record.number, "url": record.html_url}
    assert creates(forge, "gitea") == 1
    assert len(commits_over_main(repo, state["branch"])) == 1


async def test_a_forge_that_keeps_failing_fails_the_run_and_the_branch_stays(
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    forge: FakeForge,  # noqa: F811
    tmp_path: Path,
) -> None:
    """GitHub answers 502 to every try after the task landed: `forge_error` with the status;
    the task's commit stays on the run's branch, and resuming the run (forge back) opens the
    pull request from that branch without redoing the task."""
    repo = create_demo_repo(tmp_path)
    project = await register(api, forge, model, repo, "github", "acme/down")
    started = await api.post(f"/v1/projects/{project}/runs", json={"mode": "single"})
    run_id = started.json()["run_id"]

    async def verified() -> bool:
        state = (await api.get(f"/v1/runs/{run_id}")).json()
        return state["current"] is not None and state["current"]["stage"] == "complete"

    await eventually(verified, timeout_s=60, what="the task at COMPLETE")
    forge.fail_next("github", 502, count=3)
    await events(stack, run_id)
    failed = (await api.get(f"/v1/runs/{run_id}")).json()
    failure = failed["failure"]
    assert (failed["state"], failure["code"], failure["stage"]) == (
        "failed", "forge_error", "complete")  # fmt: skip
    assert "502" in failure["reason"] and "(tried 3 times)" in failure["reason"]
    assert len(ticks(repo, f"devteam/{run_id}")) == 1  # nothing lost
    assert forge.pulls("github", "acme/down") == []

    resumed = await api.post(f"/v1/runs/{run_id}/resume")
    new_id = resumed.json()["run_id"]
    await events(stack, new_id)
    state = (await api.get(f"/v1/runs/{new_id}")).json()
    assert state["state"] == "completed", state["failure"]
    assert state["branch"] == f"devteam/{run_id}"  # the resumed run's branch, continued
    assert [t["id"] for t in state["tasks_done"]] == ["2"]
    assert only_pull(forge, "github", "acme/down").head == f"devteam/{run_id}"


async def test_a_token_the_forge_refuses_fails_the_run_at_once(
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    forge: FakeForge,  # noqa: F811
    tmp_path: Path,
) -> None:
    repo = create_demo_repo(tmp_path)
    wrong = "glpat-WrongToken0123456789abc"
    project = await register(api, forge, model, repo, "gitlab", "acme/refused", token=wrong)
    asked = len(forge.requests)
    state, evts = await run_project(stack, api, project)
    failure = state["failure"]
    assert (state["state"], failure["code"], failure["stage"]) == (
        "failed", "forge_auth_error", "select")  # fmt: skip
    assert "401" in failure["reason"] and wrong not in json.dumps([state, evts])
    assert len(forge.requests) - asked == 1  # not retried
    assert model.requests() == []
    # The task list is still shown (from the target branch), saying why.
    tree = (await api.get(f"/v1/projects/{project}/tasks")).json()
    assert (tree["branch"], tree["pull_request"]) == ("main", None)
    assert any("the forge did not say which pull request is open" in n for n in tree["notices"])
    assert wrong not in json.dumps(tree)


async def test_a_pull_request_the_team_closes_stops_the_run(
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    forge: FakeForge,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Closed without merging while task 2 is at the model: the run fails at task 2's
    COMPLETE with `pull_request_closed`; no second pull request is opened behind the team's
    back, and the work stays on the branch."""
    repo = create_demo_repo(tmp_path)
    project = await register(api, forge, model, repo, "github", "acme/closed")
    scenario = demo_scenario()
    normal = next(r for r in scenario["rules"] if r["name"] == "task-2")
    model.set_scenario({"rules": [{**normal, "name": "task-2-slow", "delay_s": 2.5, "times": 1},
                                  *scenario["rules"]]})  # fmt: skip
    started = await api.post(f"/v1/projects/{project}/runs", json={})
    run_id = started.json()["run_id"]

    async def opened() -> dict[str, Any] | None:
        pull: dict[str, Any] | None = (await api.get(f"/v1/runs/{run_id}")).json()["pull_request"]
        return pull

    pull = await eventually(opened, timeout_s=60, what="the pull request opened")
    forge.set_state("github", "acme/closed", pull["number"], "closed")
    await events(stack, run_id)
    state = (await api.get(f"/v1/runs/{run_id}")).json()
    failure = state["failure"]
    assert (state["state"], failure["code"], failure["stage"], failure["task_id"]) == (
        "failed", "pull_request_closed", "complete", "2")  # fmt: skip
    assert f"pull request #{pull['number']} was closed" in failure["reason"]
    assert [p.state for p in forge.pulls("github", "acme/closed")] == ["closed"]
    assert len(commits_over_main(repo, state["branch"])) == 2  # nothing lost
