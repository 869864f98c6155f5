"""The whole product with the Docker backend: `devteam up` with DEVTEAM_SANDBOX=docker takes a
Node project (its `.devteam.toml` names its toolchain image) through a run; the run reports that
docker ran its checks."""

import json
import os
from pathlib import Path

import httpx
import websockets
from conftest import NODE_IMAGE

from devteam_cli.demo_project import create_repo
from devteam_cli.local_stack import local_stack
from devteam_scripted_model.launcher import scripted_model_server

FILES = {
    "tasks_list.md": "# Calc\n\n- [ ] 1 Add a `mul(a, b)` function to `calc.js` and export it\n",
    ".devteam.toml": f'verify = ["node --test"]\n\n[sandbox]\nimage = "{NODE_IMAGE}"\n',
    "package.json": '{"name": "calc", "version": "1.0.0"}\n',
    "calc.js": "exports.add = (a, b) => a + b;\n",
    "calc.test.js": (
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "const calc = require('./calc.js');\n"
        "test('add', () => assert.strictEqual(calc.add(2, 3), 5));\n"
    ),
}
REPLY = "calc.js\n```\nexports.add = (a, b) => a + b;\nexports.mul = (a, b) => a * b;\n```\n"


async def test_a_node_project_runs_through_the_product_with_docker_checks(tmp_path: Path) -> None:
    repo = create_repo(tmp_path, FILES, "calc-js", "Node project")
    env = {
        "DEVTEAM_SANDBOX": "docker",
        "DEVTEAM_SANDBOX_IMAGES": NODE_IMAGE,
        "DEVTEAM_SANDBOX_DEFAULT_IMAGE": NODE_IMAGE,
        "DOCKER_HOST": os.environ.get("DOCKER_HOST", ""),
    }
    with (
        scripted_model_server() as model,
        local_stack(tmp_path / "stack", env) as stack,
    ):
        model.set_scenario({"rules": [{"name": "mul", "when": "Implement task 1:",
                                       "reply": REPLY}]})  # fmt: skip
        auth = {"Authorization": f"Bearer {stack.token}"}
        async with httpx.AsyncClient(base_url=stack.url, headers=auth, timeout=30) as api:
            body = {"name": "calc-js", "repo_url": str(repo),
                    "model": {"name": "openai/scripted", "api_base": model.api_base}}  # fmt: skip
            project = (await api.post("/v1/projects", json=body)).json()
            run = (await api.post(f"/v1/projects/{project['id']}/runs", json={})).json()
            url = stack.url.replace("http://", "ws://") + f"/v1/runs/{run['run_id']}/events"
            frames = []
            async with websockets.connect(url, additional_headers=auth) as ws:
                async for raw in ws:
                    if "event" in (frame := json.loads(raw)):  # not a heartbeat
                        frames.append(frame)
            state = (await api.get(f"/v1/runs/{run['run_id']}")).json()
    assert state["state"] == "completed", state["failure"]
    verifying = next(f["event"] for f in frames if f["event"]["type"] == "task.verifying")
    sandbox = verifying["data"]["sandbox"]
    assert sandbox["backend"] == "docker" and sandbox["image"] == NODE_IMAGE
    logs = [line for f in frames if f["event"]["type"] == "log"
            for line in f["event"]["data"]["lines"]]  # fmt: skip
    assert any("pass 1" in line for line in logs)
