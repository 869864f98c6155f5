"""Helpers for end-to-end tests: request bodies, the WebSocket client, git look-ups."""

import json
import subprocess
from pathlib import Path
from typing import Any

import websockets

from devteam_cli.demo_project import VERIFY
from devteam_cli.local_stack import RunningStack
from devteam_scripted_model.launcher import ScriptedModelServer

KEY_ENV = "DEVTEAM_E2E_MODEL_KEY"
MODEL_KEY = "e2e-model-key-0123456789"


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
    """Every frame the WebSocket sends until it closes after the run's terminal event."""
    url = stack.url.replace("http://", "ws://") + f"/v1/runs/{run_id}/events"
    if after is not None:
        url += f"?after={after}"
    frames = []
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Bearer {stack.token}"}, open_timeout=10
    ) as ws:
        async for raw in ws:
            frames.append(json.loads(raw))
    return frames


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
