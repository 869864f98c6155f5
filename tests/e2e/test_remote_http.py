"""A customer repository behind git's smart HTTP with basic auth (git http-backend on
loopback): the token from the workers' environment works, and it never shows up in an event,
a log line, an API response or the audit stream."""

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devteam_bus.connection import connect
from devteam_cli.demo_project import TASKS_LIST, create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_contracts.subjects import STREAM_AUDIT
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import KEY_ENV, MODEL_KEY, events, git_show, project_body
from githttp import GitHttpServer, serve_git

pytestmark = pytest.mark.e2e

USER = "x-access-token"
TOKEN = "ghp_E2eSecretToken0123456789abcdefXYZ"
WRONG = "ghp_WrongToken9876543210zyxwvutsrqpON"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The topology with the git token in the workers' environment (their secret store)."""
    env = {
        KEY_ENV: MODEL_KEY,
        "DEVTEAM_ENV_SECRETS": f"dev:{KEY_ENV},E2E_GIT_TOKEN,E2E_WRONG_TOKEN",
        "E2E_GIT_TOKEN": TOKEN,
        "E2E_WRONG_TOKEN": WRONG,
        "DEVTEAM_GIT_ALLOWED_SCHEMES": "http,https,ssh,file",  # http: loopback test server
    }
    with local_stack(tmp_path_factory.mktemp("stack"), env) as running:
        yield running


@pytest.fixture
def server(tmp_path: Path) -> Iterator[GitHttpServer]:
    repos = tmp_path / "served"
    bare = create_demo_repo(repos)
    subprocess.run(["git", "config", "http.receivepack", "true"], cwd=bare, check=True)
    with serve_git(repos, USER, TOKEN) as running:
        yield running


def http_body(server: GitHttpServer, model: ScriptedModelServer, token_env: str) -> Any:
    body = project_body(Path("/unused"), model)
    body["repo_url"] = server.url_for("calc.git")
    body["credentials"] = {"username": USER, "token_env": token_env}
    return body


async def audit_text(stack: RunningStack) -> str:
    bus = await connect(stack.bus_settings(), "test")
    info = await bus.js.stream_info(STREAM_AUDIT)
    records = [
        (await bus.js.get_msg(STREAM_AUDIT, seq)).data or b""
        for seq in range(info.state.first_seq, info.state.last_seq + 1)
    ]
    await bus.close()
    return b"\n".join(records).decode()


def everything_on_disk(stack: RunningStack) -> str:
    texts = [p.read_text(errors="replace") for p in (stack.data_dir / "logs").glob("*.log")]
    configs = stack.data_dir.glob("services/*/mirrors/*/*.git/config")
    texts += [p.read_text(errors="replace") for p in configs]
    return "\n".join(texts)


async def test_token_authenticates_and_never_leaks(
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    server: GitHttpServer,
) -> None:
    model.set_scenario(demo_scenario())
    created = await api.post("/v1/projects", json=http_body(server, model, "E2E_GIT_TOKEN"))
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    started = await api.post(f"/v1/projects/{project_id}/runs", json={})
    frames = await events(stack, started.json()["run_id"])
    run = await api.get(f"/v1/runs/{started.json()['run_id']}")
    assert run.json()["state"] == "completed", run.json()["failure"]

    final = git_show(server.root / "calc.git", "main:tasks_list.md")
    assert final == TASKS_LIST.replace("- [ ] ", "- [x] ")
    requests = server.seen()
    assert any(r.authorized and "receive-pack" in r.path for r in requests)
    assert all(r.user in (None, USER) for r in requests)

    tree = await api.get(f"/v1/projects/{project_id}/tasks")
    surfaces = [
        json.dumps(frames),
        created.text,
        run.text,
        tree.text,
        (await api.get(f"/v1/projects/{project_id}")).text,
        await audit_text(stack),
        everything_on_disk(stack),
    ]
    for text in surfaces:
        assert TOKEN not in text


async def test_a_wrong_token_fails_the_run_clearly_without_showing_it(
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    server: GitHttpServer,
) -> None:
    created = await api.post("/v1/projects", json=http_body(server, model, "E2E_WRONG_TOKEN"))
    project_id = created.json()["id"]
    problem = await api.get(f"/v1/projects/{project_id}/tasks")
    assert problem.status_code == 409
    assert "Authentication failed" in problem.text
    started = await api.post(f"/v1/projects/{project_id}/runs", json={})
    frames = await events(stack, started.json()["run_id"])
    run = (await api.get(f"/v1/runs/{started.json()['run_id']}")).json()
    assert run["state"] == "failed"
    assert run["failure"]["stage"] == "select"
    assert "Authentication failed" in run["failure"]["reason"]
    for text in (json.dumps(frames), json.dumps(run), problem.text, everything_on_disk(stack)):
        assert WRONG not in text and TOKEN not in text
