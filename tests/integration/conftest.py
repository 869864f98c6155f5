"""Integration fixtures shared by the Aider tests: one scripted model server and one Aider host
for the session (the host takes seconds to import Aider; attempts on it take a fork)."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from devteam_aider import AiderHost
from devteam_scripted_model import ScriptedModelServer, scripted_model_server

from aider_support import AIDER_PYTHON


@pytest.fixture(scope="session")
def model_server() -> Iterator[ScriptedModelServer]:
    """A scripted model server for the whole session (tests set their own scenario)."""
    with scripted_model_server() as server:
        yield server


@pytest.fixture
def server(model_server: ScriptedModelServer) -> ScriptedModelServer:
    """The session's model server with an empty scenario and request log."""
    model_server.set_scenario({"rules": []})
    model_server.clear_requests()
    return model_server


@pytest.fixture(scope="session")
async def aider_host(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AiderHost]:
    """One running Aider host for the session."""
    if AIDER_PYTHON is None:
        pytest.skip("Aider is not installed")
    host = AiderHost(AIDER_PYTHON, Path(tmp_path_factory.mktemp("aider-host-home")), nice=0)
    await host.wait_ready(300)
    yield host
    await host.close()
