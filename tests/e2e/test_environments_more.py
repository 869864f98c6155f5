"""More of a project's environment through the whole product (`devteam up`): explicit setup
wins and is reused across runs, a task's own dependency change that breaks setup goes back for
a repair, a Node project installs its test runner once, and a project nothing can be detected
in must say its checks. (Apart from test_environments.py, so the two run side by side.)"""

import asyncio
from pathlib import Path

import httpx
import pytest
from fixture_projects import (
    EXPLICIT_NPM,
    EXPLICIT_REQUIREMENTS,
    FORMAT_CODE,
    FORMAT_TEST,
    OFFLINE_REQUIREMENTS,
    create_ledger_repo,
    create_tally_repo,
    ledger_scenario,
    run_npm_suite,
    scripted_tasks,
    tally_scenario,
)
from test_tasklists import register, run_to_end

from devteam_cli.demo_project import create_repo
from devteam_cli.local_stack import RunningStack
from devteam_scripted_model.launcher import ScriptedModelServer
from devteam_scripted_model.scenarios import whole_reply

from e2e_client import git_show
from environments_support import (
    DETECTED_SETUP,
    ROUND_REQUIREMENTS,
    body,
    environments,
    logged,
    verifier_api,
    verifier_stack,
)

pytestmark = pytest.mark.e2e


one_verifier = pytest.fixture(scope="module")(verifier_stack)
api = pytest.fixture(verifier_api)


async def test_explicit_setup_wins_and_its_environment_is_reused_across_runs(
    one_verifier: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    repo = create_ledger_repo(tmp_path, config=EXPLICIT_REQUIREMENTS)
    model.set_scenario(ledger_scenario(ROUND_REQUIREMENTS))
    project_id = await register(api, body(repo, model))
    env = (await api.get(f"/v1/projects/{project_id}/environment")).json()
    assert env["setup"] == ["pip install -r requirements.txt"]
    assert env["setup_from"] == "repository" and env["verify_from"] == "repository"

    first, frames = await run_to_end(one_verifier, api, project_id, max_tasks=1)
    assert first["state"] == "completed", "\n".join(logged(frames))
    second, more = await run_to_end(one_verifier, api, project_id, max_tasks=1)
    assert second["state"] == "completed", second["failure"]
    seen = environments(frames) + environments(more)
    assert [(task, status) for task, status, _key in seen] == [("1", "built"), ("2", "reused")]
    assert logged(frames + more).count("$ pip install -r requirements.txt") == 1


async def test_a_setup_broken_by_the_tasks_own_dependency_change_goes_back_for_a_repair(
    one_verifier: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    repo = create_ledger_repo(tmp_path)
    broken = OFFLINE_REQUIREMENTS + "ledgerround==9.9\n"  # no such version in its wheels
    edits = {"ledger/money.py": FORMAT_CODE, "tests/test_format.py": FORMAT_TEST}
    [wrong] = scripted_tasks({"1": {**edits, "requirements.txt": broken}})["rules"]
    fixed = {"name": "fix", "reply": whole_reply({"requirements.txt": ROUND_REQUIREMENTS})}
    # (first match wins: the repair's message says what failed, the first attempt's does not)
    model.set_scenario({"rules": [{**fixed, "when": "the project.s setup"}, wrong]})
    project_id = await register(api, body(repo, model))

    run, frames = await run_to_end(one_verifier, api, project_id, max_tasks=1)
    assert run["state"] == "completed", "\n".join(logged(frames))
    repair = next(f["event"] for f in frames if f["event"]["type"] == "task.repair")
    assert repair["data"]["command"] == DETECTED_SETUP
    assert repair["data"]["setup"] == ["requirements.txt"]
    assert "ledgerround==9.9" in repair["data"]["output_tail"]
    assert [status for _task, status, _key in environments(frames)] == ["built"]
    assert "ledgerround==1.0.0" in git_show(repo, "main:requirements.txt")


@pytest.mark.parametrize("config", [None, EXPLICIT_NPM])
async def test_a_node_project_installs_its_test_runner_once_and_passes_its_own_suite(
    one_verifier: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    tmp_path: Path,
    config: str | None,
) -> None:
    repo = create_tally_repo(tmp_path, config=config)
    model.set_scenario(tally_scenario())
    project_id = await register(api, body(repo, model))
    env = (await api.get(f"/v1/projects/{project_id}/environment")).json()
    assert (env["kind"], env["setup"], env["verify"], env["venv"]) == (
        "node",
        ["npm ci"],
        ["npm test"],
        False,
    )
    assert env["setup_from"] == ("detected" if config is None else "repository")
    assert {"package.json", "package-lock.json"} <= set(env["manifests"])

    run, frames = await run_to_end(one_verifier, api, project_id)
    assert run["state"] == "completed", "\n".join(logged(frames))
    assert [(task, status) for task, status, _key in environments(frames)] == [
        ("1", "built"),
        ("2", "reused"),
    ]
    lines = logged(frames)
    assert lines.count("$ npm ci") == 1
    assert "3 passed, 0 failed" in lines  # the runner from node_modules ran every test

    suite = await asyncio.to_thread(run_npm_suite, repo, tmp_path / "landed", True)
    assert suite.returncode == 0 and "3 passed, 0 failed" in suite.stdout, suite.stdout


async def test_a_project_nothing_can_be_detected_in_must_say_its_checks(
    one_verifier: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    files = {"README.md": "# notes\n", "notes.txt": "", "tasks_list.md": "- [ ] 1 Write notes\n"}
    repo = create_repo(tmp_path, files, "notes", "Notes")
    project_id = await register(api, body(repo, model))

    for path in ("tasks", "environment"):
        shown = await api.get(f"/v1/projects/{project_id}/{path}")
        assert shown.status_code == 422, shown.text
        problem = shown.json()
        assert problem["kind"] == "config"
        assert "no checks" in problem["detail"] and ".devteam.toml" in problem["detail"]
        assert "package.json" in problem["detail"]  # what was looked for
    run, _frames = await run_to_end(one_verifier, api, project_id)
    assert (run["state"], run["failure"]["code"]) == ("failed", "invalid_config")
    assert model.requests() == []

    # An explicit empty list is no checks either (a task's own `verify:` would do).
    empty = await register(api, body(repo, model, name="notes-empty", verify=[]))
    shown = await api.get(f"/v1/projects/{empty}/tasks")
    assert shown.status_code == 422
    assert "registration gives an empty `verify`" in shown.json()["detail"], shown.text
