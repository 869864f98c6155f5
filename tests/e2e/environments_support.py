"""What the environment tests share: a `devteam up` with one verify worker, its API client,
the ledger's registration and readers of the run's frames."""

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixture_projects import OFFLINE_REQUIREMENTS

from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import ALLOW_KEY, KEY_ENV, MODEL_KEY

ROUND_REQUIREMENTS = OFFLINE_REQUIREMENTS + "ledgerround==1.0.0\n"
DETECTED_SETUP = "pip install -r requirements.txt pytest"


def verifier_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """`devteam up` with one verify worker: environments are kept per worker, so "once per
    dependency state" is counted on one (outside /tmp: where an operator puts its data)."""
    data = Path("/var/tmp") / f"devteam-e2e-env-{uuid.uuid4().hex[:8]}"
    try:
        with local_stack(data, {KEY_ENV: MODEL_KEY, **ALLOW_KEY}) as stack:
            yield stack
    finally:
        shutil.rmtree(data, ignore_errors=True)


async def verifier_api(one_verifier: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
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
