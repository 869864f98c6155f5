"""A Node project whose test runner comes from npm, on the Docker backend with its toolchain
image (`[sandbox] image`), setup and checks detected: `npm ci` runs once in a container with
the setup network, the checks of both tasks run against the environment it built, and the
landed project passes its own suite."""

import asyncio
import os
from pathlib import Path

import httpx
from conftest import NODE_IMAGE
from fixture_projects import create_mocha_repo, run_npm_suite, tally_scenario

from devteam_cli.local_stack import local_stack
from devteam_scripted_model.launcher import scripted_model_server


async def test_a_node_project_with_npm_dev_dependencies_on_the_docker_backend(
    tmp_path: Path,
) -> None:
    repo = create_mocha_repo(tmp_path, f'[sandbox]\nimage = "{NODE_IMAGE}"\n')
    env = {
        "DEVTEAM_SANDBOX": "docker",
        "DEVTEAM_SANDBOX_IMAGES": NODE_IMAGE,
        "DEVTEAM_SANDBOX_DEFAULT_IMAGE": NODE_IMAGE,
        "DOCKER_HOST": os.environ.get("DOCKER_HOST", ""),
    }
    with scripted_model_server() as model, local_stack(tmp_path / "stack", env) as stack:
        model.set_scenario(tally_scenario())
        auth = {"Authorization": f"Bearer {stack.token}"}
        async with httpx.AsyncClient(base_url=stack.url, headers=auth, timeout=30) as api:
            body = {"name": "tally", "repo_url": str(repo),
                    "model": {"name": "openai/scripted", "api_base": model.api_base}}  # fmt: skip
            project = (await api.post("/v1/projects", json=body)).json()
            shown = (await api.get(f"/v1/projects/{project['id']}/environment")).json()
            assert (shown["setup"], shown["verify"]) == (["npm ci"], ["npm test"])
            run_id = (await api.post(f"/v1/projects/{project['id']}/runs", json={})).json()[
                "run_id"
            ]
            for _ in range(600):
                run = (await api.get(f"/v1/runs/{run_id}")).json()
                if run["state"] in ("completed", "failed"):
                    break
                await asyncio.sleep(0.5)
            page = (await api.get(f"/v1/runs/{run_id}/events", params={"limit": 1000})).json()
    events = [f["event"] for f in page["frames"]]
    lines = [line for e in events if e["type"] == "log" for line in e["data"]["lines"]]
    assert run["state"] == "completed", "\n".join(lines[-60:])
    verifying = [e["data"] for e in events if e["type"] == "task.verifying"]
    assert [v["environment"]["status"] for v in verifying] == ["built", "reused"]
    assert all(v["sandbox"]["backend"] == "docker" for v in verifying)
    assert lines.count("$ npm ci") == 1
    assert any("3 passing" in line for line in lines)

    suite = await asyncio.to_thread(run_npm_suite, repo, tmp_path / "landed", False)
    assert suite.returncode == 0 and "3 passing" in suite.stdout, suite.stdout
