"""Helpers for end-to-end tests: request bodies, the WebSocket client, git look-ups."""

import contextlib
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import websockets

from devteam_cli.demo_project import TASKS_LIST, VERIFY
from devteam_cli.local_stack import RunningStack
from devteam_cli.nats_server import free_port, stop_process
from devteam_scripted_model.launcher import ScriptedModelServer

KEY_ENV = "E2E_MODEL_KEY"
MODEL_KEY = "e2e-model-key-0123456789"
# The e2e stacks allow-list the key's variable for the tenants the tests use.
ALLOW_KEY = {"DEVTEAM_ENV_SECRETS": f"dev:{KEY_ENV};globex:{KEY_ENV}"}
# A secret of the service, in every worker's environment, allow-listed for no tenant.
SERVICE_SECRET_ENV = "E2E_SERVICE_SECRET"
SERVICE_SECRET = "svc-secret-7Hq2ZpLr0VwXk9Ty"


def project_body(repo: Path, model: ScriptedModelServer, **extra: Any) -> dict[str, Any]:
    """A project registration for the demo repository."""
    return {
        "name": "calc",
        "repo_url": str(repo),
        "target_branch": "main",
        "tasks_file": "tasks_list.md",
        "verify": VERIFY,
        "model": {"name": "openai/scripted", "api_base": model.api_base, "api_key_env": KEY_ENV},
        **extra,
    }


async def events(
    stack: RunningStack, run_id: str, after: int | None = None
) -> list[dict[str, Any]]:
    """Every event frame the WebSocket sends until it closes after the run's terminal event
    (heartbeats left out)."""
    url = stack.url.replace("http://", "ws://") + f"/v1/runs/{run_id}/events"
    if after is not None:
        url += f"?after={after}"
    frames = []
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {stack.token}"}, open_timeout=10
    ) as ws:
        async for raw in ws:
            if "event" in (frame := json.loads(raw)):  # not a heartbeat
                frames.append(frame)
    return frames


async def run_project(
    stack: RunningStack, api: httpx.AsyncClient, project_id: str, **body: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Start a run of the project (`body`: the run's request) and follow it to its end: its
    state and its events (logs left out)."""
    started = await api.post(f"/v1/projects/{project_id}/runs", json=body)
    assert started.status_code == 202, started.text
    run_id = started.json()["run_id"]
    frames = await events(stack, run_id)
    run = (await api.get(f"/v1/runs/{run_id}")).json()
    return run, [f["event"] for f in frames if f["event"]["type"] != "log"]


def git_show(repo: Path, what: str) -> str:
    """`git show` in the bare repository."""
    return subprocess.run(
        ["git", "--git-dir", str(repo), "show", what], capture_output=True, text=True, check=True
    ).stdout


def git_log(repo: Path) -> list[str]:
    """Subjects on main, newest first."""
    out = subprocess.run(
        ["git", "--git-dir", str(repo), "log", "--format=%s", "main"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return out.splitlines()


def file_per_task_scenario(task_ids: list[str], delays: dict[str, float] | None = None) -> Any:
    """Scripted answers: task `<id>` creates `done/<id>.txt` (Aider's whole-file format)."""
    rules = []
    for task_id in task_ids:
        rule = {
            "name": f"task-{task_id}",
            "when": f"Implement task {re.escape(task_id)}:",
            "reply": f"done/{task_id}.txt\n```\ntask {task_id} done\n```\n",
        }
        if delays and task_id in delays:
            rule["delay_s"] = delays[task_id]
        rules.append(rule)
    return {"rules": rules}


def push_change(bare: Path, files: dict[str, str], message: str) -> str:
    """A person pushes a commit to `main`; returns its SHA."""
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        run = functools.partial(subprocess.run, check=True, capture_output=True, text=True)
        run(["git", "clone", "-q", str(bare), str(clone)])
        for relpath, text in files.items():
            (clone / relpath).parent.mkdir(parents=True, exist_ok=True)
            (clone / relpath).write_text(text)
        run(["git", "add", "-A"], cwd=clone)
        ident = ["-c", "user.name=A Person", "-c", "user.email=person@example.com"]
        run(["git", *ident, "commit", "-q", "-m", message], cwd=clone)
        run(["git", "push", "-q", "origin", "main"], cwd=clone)
        return str(run(["git", "rev-parse", "HEAD"], cwd=clone).stdout.strip())


async def at_model(model: ScriptedModelServer, rule: str) -> bool:
    """True once the scripted model has received a request answered by `rule`."""
    return any(r["rule"] == rule for r in model.requests())


def assert_done_once(repo: Path, run: dict[str, Any]) -> None:
    assert run["state"] == "completed", run["failure"]
    assert [t["id"] for t in run["tasks_done"]] == ["1", "2", "3"]
    assert git_show(repo, "main:tasks_list.md") == TASKS_LIST.replace("- [ ] ", "- [x] ")
    assert len(git_log(repo)) == 4  # one commit per task, none twice


def assert_events_whole(frames: list[dict[str, Any]]) -> None:
    """The replayed stream: strictly increasing sequences, and each milestone once."""
    seqs = [f["seq"] for f in frames]
    assert seqs == sorted(set(seqs))
    milestones = [(f["event"]["type"], f["event"]["task_id"], f["event"]["attempt"])
                  for f in frames if f["event"]["type"] != "log"]  # fmt: skip
    assert len(milestones) == len(set(milestones)), milestones
    completed = [f["event"]["task_id"] for f in frames if f["event"]["type"] == "task.completed"]
    assert completed == ["1", "2", "3"]


@contextlib.contextmanager
def extra_gateway(stack: RunningStack, log: Path, **env: str) -> Iterator[str]:
    """Another gateway process on the stack's NATS (as another machine would run it), with
    extra `DEVTEAM_*` settings; yields its URL once it is ready."""
    port = free_port()
    environ = {**os.environ, "DEVTEAM_NATS_URL": stack.nats_url,
               "DEVTEAM_NATS_CREDENTIALS": str(stack.credentials("gateway")),
               "DEVTEAM_GATEWAY_PORT": str(port), **env}  # fmt: skip
    exe = Path(sys.executable).parent / "devteam-gateway"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(exe)], env=environ, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the extra gateway is not ready"
            time.sleep(0.1)
        yield url
    finally:
        stop_process(proc)
