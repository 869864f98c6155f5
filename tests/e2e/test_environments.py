"""A project with real dependencies through the whole product (`devteam up`): its environment
built once per dependency state and reused by later tasks, rebuilt when a task changes its
requirements, its setup and checks detected from its files when it says nothing, and a broken
setup named as such, never sent to the model.

The ledger (tests/fixture_projects.py) carries its wheels, so this runs offline: a runtime
dependency, a pytest plugin whose fixture every test uses, and pytest itself."""

import asyncio
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    run_suite_offline,
    scripted_tasks,
    tally_scenario,
)
from test_tasklists import register, run_to_end

from devteam_cli.demo_project import create_repo
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer
from devteam_scripted_model.scenarios import whole_reply

from e2e_client import ALLOW_KEY, KEY_ENV, MODEL_KEY, git_show

pytestmark = pytest.mark.e2e

ROUND_REQUIREMENTS = OFFLINE_REQUIREMENTS + "ledgerround==1.0.0\n"
DETECTED_SETUP = "pip install -r requirements.txt pytest"


@pytest.fixture(scope="module")
def one_verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """`devteam up` with one verify worker: environments are kept per worker, so "once per
    dependency state" is counted on one (outside /tmp: where an operator puts its data)."""
    data = Path("/var/tmp") / f"devteam-e2e-env-{uuid.uuid4().hex[:8]}"
    try:
        with local_stack(data, {KEY_ENV: MODEL_KEY, **ALLOW_KEY}) as stack:
            yield stack
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
async def api(one_verifier: RunningStack) -> Any:
    headers = {"Authorization": f"Bearer {one_verifier.token}"}
    async with httpx.AsyncClient(base_url=one_verifier.url, headers=headers, timeout=30) as c:
        yield c


def body(repo: Path, model: ScriptedModelServer, **extra: Any) -> dict[str, Any]:
    return {
        "name": "ledger",
        "repo_url": str(repo),
        "model": {"name": "openai/scripted", "api_base": model.api_base, "api_key_env": KEY_ENV},
        **extra,
    }


def environments(frames: list[dict[str, Any]]) -> list[tuple[str | None, str, str]]:
    """(task, built or reused, key) of every `task.verifying`."""
    return [
        (f["event"]["task_id"], f["event"]["data"]["environment"]["status"],
         f["event"]["data"]["environment"]["key"])
        for f in frames if f["event"]["type"] == "task.verifying"
    ]  # fmt: skip


def logged(frames: list[dict[str, Any]]) -> list[str]:
    return [line for f in frames if f["event"]["type"] == "log"
            for line in f["event"]["data"]["lines"]]  # fmt: skip


async def test_a_project_with_no_config_is_detected_and_set_up_once_per_dependency_state(
    one_verifier: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    repo = create_ledger_repo(tmp_path)
    model.set_scenario(ledger_scenario(ROUND_REQUIREMENTS))
    project_id = await register(api, body(repo, model))

    shown = await api.get(f"/v1/projects/{project_id}/environment")
    assert shown.status_code == 200, shown.text
    env = shown.json()
    assert env["kind"] == "python" and env["venv"] is True
    assert env["setup"] == [DETECTED_SETUP] and env["setup_from"] == "detected"
    assert env["verify"] == ["python -m pytest"] and env["verify_from"] == "detected"
    assert "requirements.txt" in env["manifests"]
    assert any("requirements.txt" in r for r in env["reasons"])
    assert any("pytest.ini" in r for r in env["reasons"])
    tasks = (await api.get(f"/v1/projects/{project_id}/tasks")).json()
    assert tasks["environment"] == env

    run, frames = await run_to_end(one_verifier, api, project_id)
    assert run["state"] == "completed", run["failure"]
    assert [t["id"] for t in run["tasks_done"]] == ["1", "2", "3"]
    seen = environments(frames)
    # tasks 1 and 2 share the dependency state; task 3 changed requirements.txt
    assert [(task, status) for task, status, _key in seen] == [
        ("1", "built"),
        ("2", "reused"),
        ("3", "built"),
    ]
    assert seen[0][2] == seen[1][2] != seen[2][2]
    lines = logged(frames)
    assert lines.count(f"$ {DETECTED_SETUP}") == 2, "setup ran once per dependency state"
    assert any("3 passed" in line for line in lines)  # the plugin's fixture was there
    assert "ledgerround" in git_show(repo, "main:requirements.txt")

    # The landed project passes its own suite, outside the product.
    suite = await asyncio.to_thread(run_suite_offline, repo, tmp_path / "outside")
    assert suite.returncode == 0 and "4 passed" in suite.stdout, suite.stdout + suite.stderr


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


async def test_a_broken_setup_is_setup_failed_and_never_goes_to_the_model(
    one_verifier: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    repo = create_ledger_repo(tmp_path, requirements=OFFLINE_REQUIREMENTS + "nosuchledgerlib==9\n")
    model.set_scenario(ledger_scenario(ROUND_REQUIREMENTS))
    project_id = await register(api, body(repo, model))

    run, frames = await run_to_end(one_verifier, api, project_id)
    assert run["state"] == "failed"
    failure = run["failure"]
    assert failure["code"] == "setup_failed" and failure["stage"] == "verify", failure
    assert DETECTED_SETUP in failure["reason"]
    assert "nosuchledgerlib" in failure["output_tail"]
    types = [f["event"]["type"] for f in frames]
    assert "task.repair" not in types
    edits = [r for r in model.requests() if r["kind"] == "edit"]
    assert len(edits) == 1, "only the implementation asked the model; the setup did not"


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


async def test_a_setup_that_outlives_its_limit_is_setup_timeout(
    one_verifier: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    config = 'setup = ["echo resolving; sleep 60"]\nverify = ["pytest -q"]\n'
    config += "[limits]\nverify_seconds = 5\n"
    repo = create_ledger_repo(tmp_path, config=config)
    model.set_scenario(ledger_scenario(ROUND_REQUIREMENTS))
    project_id = await register(api, body(repo, model))

    run, frames = await run_to_end(one_verifier, api, project_id)
    failure = run["failure"]
    assert (run["state"], failure["code"], failure["stage"]) == (
        "failed",
        "setup_timeout",
        "verify",
    ), failure
    assert "echo resolving; sleep 60" in failure["reason"] and "timed out" in failure["reason"]
    assert "resolving" in failure["output_tail"]
    assert "task.repair" not in [f["event"]["type"] for f in frames]


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
