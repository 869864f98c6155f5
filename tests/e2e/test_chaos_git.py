"""Never losing a run, continued: PREP killed while it fetches and COMPLETE killed while it
pushes (its own stack, so these run beside test_resilience.py)."""

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_resilience import ENV, GIT_TOKEN, GIT_USER, pids_of, pushable_demo_repo

from devteam_cli.demo_project import demo_scenario
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import assert_done_once, assert_events_whole, events, project_body
from githttp import serve_git
from support import ancestry, client_process, eventually

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    with local_stack(tmp_path_factory.mktemp("stack"), ENV) as running:
        yield running


@pytest.mark.parametrize(
    ("service", "push"),
    [("prep", False), ("selector", True)],
    ids=["prep-fetching", "complete-pushing"],
)
async def test_a_stage_killed_mid_git_request_is_restarted_and_the_run_completes(
    service: str,
    push: bool,
    stack: RunningStack,
    api: httpx.AsyncClient,
    model: ScriptedModelServer,
    tmp_path: Path,
) -> None:
    """PREP killed while it fetches, and COMPLETE (in the selector) killed while it pushes;
    the orphaned `git push` goes on and lands, so the redelivered COMPLETE finds its work
    already done and must not land the task twice."""
    served = tmp_path / "served"
    bare = pushable_demo_repo(served)
    model.set_scenario(demo_scenario())
    with serve_git(served, GIT_USER, GIT_TOKEN) as server:
        replicas = {pid for name, pid in pids_of(stack).items() if name.startswith(service)}

        def pick(line: str, client_port: int) -> bool:
            wanted = not push or "git-receive-pack" in line
            return wanted and bool(replicas & set(ancestry(client_process(client_port))))

        server.hold(pick)
        body = project_body(bare, model)
        body["repo_url"] = server.url_for(bare.name)
        body["credentials"] = {"username": GIT_USER, "token_env": "E2E_GIT_TOKEN"}
        created = (await api.post("/v1/projects", json=body)).json()
        run_id = (await api.post(f"/v1/projects/{created['id']}/runs", json={})).json()["run_id"]

        async def held() -> bool:
            return server.held > 0

        await eventually(held, timeout_s=60, what=f"{service} talking to git")
        for pid in replicas:
            os.kill(pid, signal.SIGKILL)
        server.release()
        frames = await events(stack, run_id)
        run = (await api.get(f"/v1/runs/{run_id}")).json()
    assert_done_once(bare, run)
    assert_events_whole(frames)
    assert f"{service}-1 exited (-9); restarting" in (stack.data_dir / "devteam-up.log").read_text()
