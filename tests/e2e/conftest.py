"""End-to-end fixtures: the whole topology started by `devteam up`, a scripted model server,
and the demo customer repository as a bare repo."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from forge_support import FORGE_ENV

from devteam_cli.demo_project import create_demo_repo
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server

from e2e_client import ALLOW_KEY, KEY_ENV, MODEL_KEY, SERVICE_SECRET, SERVICE_SECRET_ENV


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """`devteam up` on free ports with two replicas of every stage, shared by every test that
    needs no stack of its own (projects may land as pull requests on the loopback forge)."""
    scale = dict.fromkeys(("selector", "prep", "implement", "verify"), 2)
    data = tmp_path_factory.mktemp("stack")
    with local_stack(
        data,
        {KEY_ENV: MODEL_KEY, SERVICE_SECRET_ENV: SERVICE_SECRET, **ALLOW_KEY, **FORGE_ENV},
        scale=scale,
    ) as running:
        yield running


@pytest.fixture
def model() -> Iterator[ScriptedModelServer]:
    """A scripted model server for one test."""
    with scripted_model_server() as server:
        yield server


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The demo customer repository (bare, branch main)."""
    return create_demo_repo(tmp_path)


@pytest.fixture
async def api(stack: RunningStack) -> Any:
    """An authenticated HTTP client on the gateway."""
    headers = {"Authorization": f"Bearer {stack.token}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=headers, timeout=30) as client:
        yield client
