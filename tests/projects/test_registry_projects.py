"""Projects whose dependencies come from the real registries (PyPI, npm), through the whole
product (`devteam up`): each taken through two tasks with its setup and checks detected (no
`.devteam.toml`) and given as the docs show them, its environment built once, a broken setup
named, and the landed result passing the project's own suite outside the product.

Opt-in (`make test-projects`): they need the registries, and take a minute or two."""

import asyncio
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixture_projects import (
    EXPLICIT_NPM,
    EXPLICIT_PIP_EDITABLE,
    create_mocha_repo,
    create_slugline_repo,
    run_npm_suite,
    slugline_scenario,
    tally_scenario,
)

from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    data = Path("/var/tmp") / f"devteam-projects-{uuid.uuid4().hex[:8]}"
    try:
        with local_stack(data) as running:
            yield running
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def model() -> Iterator[ScriptedModelServer]:
    with scripted_model_server() as server:
        yield server


@pytest.fixture
async def api(stack: RunningStack) -> Any:
    headers = {"Authorization": f"Bearer {stack.token}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=headers, timeout=30) as client:
        yield client


async def run_project(
    api: httpx.AsyncClient, repo: Path, model: ScriptedModelServer
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """Register, show the environment, run to the end; (environment, run, events)."""
    body = {"name": repo.stem, "repo_url": str(repo),
            "model": {"name": "openai/scripted", "api_base": model.api_base}}  # fmt: skip
    created = await api.post("/v1/projects", json=body)
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    env = (await api.get(f"/v1/projects/{project_id}/environment")).json()
    started = await api.post(f"/v1/projects/{project_id}/runs", json={})
    run_id = started.json()["run_id"]
    for _ in range(1200):
        run = (await api.get(f"/v1/runs/{run_id}")).json()
        if run["state"] in ("completed", "failed", "blocked", "cancelled"):
            break
        await asyncio.sleep(0.5)
    frames: list[dict[str, Any]] = []
    while True:
        after = frames[-1]["seq"] if frames else 0
        page = (await api.get(f"/v1/runs/{run_id}/events", params={"after": after})).json()
        if not page["frames"]:
            return env, run, frames
        frames += page["frames"]


def statuses(frames: list[dict[str, Any]]) -> list[str]:
    return [f["event"]["data"]["environment"]["status"] for f in frames
            if f["event"]["type"] == "task.verifying"]  # fmt: skip


def logged(frames: list[dict[str, Any]]) -> list[str]:
    return [line for f in frames if f["event"]["type"] == "log"
            for line in f["event"]["data"]["lines"]]  # fmt: skip


def outside(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("config", [None, EXPLICIT_PIP_EDITABLE], ids=["detected", "explicit"])
async def test_a_python_project_with_pypi_dependencies_and_a_pytest_plugin(
    api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path, config: str | None
) -> None:
    repo = create_slugline_repo(tmp_path, config)
    model.set_scenario(slugline_scenario())
    env, run, frames = await run_project(api, repo, model)
    setup = env["setup"][0]
    if config is None:
        assert setup == "pip install -e '.[test]' pytest" and env["setup_from"] == "detected"
    assert run["state"] == "completed", "\n".join(logged(frames)[-60:])
    assert statuses(frames) == ["built", "reused"]
    assert logged(frames).count(f"$ {setup}") == 1

    clone = tmp_path / "landed"
    assert outside(["git", "clone", "-q", str(repo), str(clone)], tmp_path).returncode == 0
    assert outside([sys.executable, "-m", "venv", str(tmp_path / "venv")], tmp_path).returncode == 0
    pip = outside([str(tmp_path / "venv/bin/pip"), "install", "-q", "-e", ".[test]"], clone)
    assert pip.returncode == 0, pip.stderr
    suite = outside([str(tmp_path / "venv/bin/pytest"), "-q"], clone)
    assert suite.returncode == 0 and "3 passed" in suite.stdout, suite.stdout


async def test_a_python_project_locked_with_uv_is_synced_frozen(
    api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    repo = create_slugline_repo(tmp_path, uv=True)
    model.set_scenario(slugline_scenario())
    env, run, frames = await run_project(api, repo, model)
    assert env["setup"] == ["uv sync --frozen"] and "uv.lock" in env["manifests"], env
    assert run["state"] == "completed", "\n".join(logged(frames)[-60:])
    assert statuses(frames) == ["built", "reused"]
    assert logged(frames).count("$ uv sync --frozen") == 1


@pytest.mark.parametrize("config", [None, EXPLICIT_NPM], ids=["detected", "explicit"])
async def test_a_node_project_with_mocha_from_npm(
    api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path, config: str | None
) -> None:
    repo = create_mocha_repo(tmp_path, config)
    model.set_scenario(tally_scenario())
    env, run, frames = await run_project(api, repo, model)
    assert (env["setup"], env["verify"]) == (["npm ci"], ["npm test"])
    assert run["state"] == "completed", "\n".join(logged(frames)[-60:])
    assert statuses(frames) == ["built", "reused"]
    lines = logged(frames)
    assert lines.count("$ npm ci") == 1
    assert any("3 passing" in line for line in lines)  # mocha, from node_modules

    suite = await asyncio.to_thread(run_npm_suite, repo, tmp_path / "landed", False)
    assert suite.returncode == 0 and "3 passing" in suite.stdout, suite.stdout


async def test_a_dependency_missing_from_pypi_is_setup_failed(
    api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    config = 'setup = ["pip install devteam-no-such-package-4d1f"]\nverify = ["pytest -q"]\n'
    repo = create_slugline_repo(tmp_path, config)
    model.set_scenario(slugline_scenario())
    _env, run, frames = await run_project(api, repo, model)
    assert (run["state"], run["failure"]["code"]) == ("failed", "setup_failed")
    assert "devteam-no-such-package-4d1f" in run["failure"]["output_tail"]
    assert "task.repair" not in [f["event"]["type"] for f in frames]
    assert [r["kind"] for r in model.requests()].count("edit") == 1
