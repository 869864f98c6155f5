"""A project with real dependencies through the whole product (`devteam up`): its environment
built once per dependency state and reused by later tasks, rebuilt when a task changes its
requirements, its setup and checks detected from its files when it says nothing, and a broken
setup named as such, never sent to the model.

The ledger (tests/fixture_projects.py) carries its wheels, so this runs offline: a runtime
dependency, a pytest plugin whose fixture every test uses, and pytest itself."""

import asyncio
from pathlib import Path

import httpx
import pytest
from fixture_projects import (
    OFFLINE_REQUIREMENTS,
    create_ledger_repo,
    ledger_scenario,
    run_suite_offline,
)
from test_tasklists import register, run_to_end

from devteam_cli.local_stack import RunningStack
from devteam_scripted_model.launcher import ScriptedModelServer

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
