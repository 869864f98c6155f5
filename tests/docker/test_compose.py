"""The compose topology for real (`make test-docker`): images built from this checkout on the
locally built base, `docker-compose up` with two implement replicas, and the demo project
taken through the containers while the processes of both implement containers and of the
NATS container are SIGKILLed (the restart policy brings them back, NATS on its volume).
The run completes, and the customer's repository (served over HTTP on loopback) has one
commit per task."""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from devteam_cli.demo_project import TASKS_LIST, VERIFY, create_demo_repo, demo_scenario
from devteam_cli.nats_server import free_port
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server
from devteam_tenants import new_key
from devteam_tenants.tokens import new_token

from githttp import GitHttpServer, serve_git

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ["docker-compose"] if shutil.which("docker-compose") else ["docker", "compose"]
GIT_USER, GIT_TOKEN = "x-access-token", "ghp_ComposeToken0123456789abcdefXYZ"


@contextmanager
def compose_stack(
    tmp_path: Path,
) -> Iterator[tuple[str, str, Callable[[str], list[str]], int]]:
    """`docker-compose up` (two implement replicas) on free loopback ports; yields the
    gateway URL, the API token, a look-up of a service's container ids and NATS's port;
    `down -v` at exit."""
    token, port = new_token(), free_port()
    env = {
        **os.environ,
        "DEVTEAM_GATEWAY_PORT": str(port),
        "DEVTEAM_NATS_PORT": str(free_port()),
        "DEVTEAM_SECRETS_KEY": new_key(),
        "DEVTEAM_API_TOKEN": token,
        "DEVTEAM_GIT_ALLOWED_SCHEMES": "http,https,ssh,file",  # the loopback git server
    }
    # NATS credentials and configs, as `make compose-up` makes them (with this checkout's CLI)
    env["DEVTEAM_COMPOSE_SECRETS"] = str(tmp_path / "compose-secrets")
    devteam = str(Path(sys.executable).parent / "devteam")
    subprocess.run([devteam, "nats-credentials", env["DEVTEAM_COMPOSE_SECRETS"]], check=True)
    cmd = [*COMPOSE, "-p", f"devteam-test-{os.getpid()}", "-f", str(ROOT / "docker-compose.yml")]
    log = open(tmp_path / "compose.log", "ab")  # noqa: SIM115
    run = lambda *args: subprocess.run([*cmd, *args], env=env, stdout=log, stderr=log)  # noqa: E731
    try:
        assert run("up", "-d", "--scale", "implement=2").returncode == 0, "compose up failed"
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/readyz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("the gateway container is not ready") from None
                time.sleep(0.5)

        # NATS admits no one without credentials (the services got theirs as compose secrets)
        assert "Authorization Violation" in anonymous_nats(int(env["DEVTEAM_NATS_PORT"]))

        def containers(service: str) -> list[str]:
            out = subprocess.run([*cmd, "ps", "-q", service], env=env, capture_output=True,
                                 text=True, check=True)  # fmt: skip
            return out.stdout.split()

        yield url, token, containers, int(env["DEVTEAM_NATS_PORT"])
    finally:
        run("logs", "--no-color")
        run("down", "-v", "--remove-orphans")
        log.close()


# A setup command that tries NATS on the host's loopback: its own, and slirp4netns's way there.
REACH_NATS = (
    'for h in 127.0.0.1 10.0.2.2; do timeout 3 bash -c "exec 3<>/dev/tcp/$h/{port}" '
    "2>/dev/null && echo SETUP-REACHED-NATS; done; echo setup-kept-off-nats"
)


def anonymous_nats(port: int) -> str:
    """What NATS on `port` answers a client that signs in with no credentials."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.recv(65536)  # INFO
        sock.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\nPING\r\n')
        return sock.recv(65536).decode(errors="replace")


def kill(*ids: str) -> None:
    """SIGKILL each container's main process from the host, as a crash would (`docker kill`
    counts as stopping it by hand, and the restart policy would not bring it back)."""
    for container in ids:
        out = subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", container],
                             capture_output=True, text=True, check=True)  # fmt: skip
        os.kill(int(out.stdout.strip()), signal.SIGKILL)


def git_out(bare: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(bare), *args],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip


def restarts(container: str) -> int:
    out = subprocess.run(["docker", "inspect", "-f", "{{.RestartCount}}", container],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return int(out.stdout.strip())


def slow_second_task(delay_s: float) -> dict[str, Any]:
    scenario = demo_scenario()
    normal = next(r for r in scenario["rules"] if r["name"] == "task-2")
    return {"rules": [{**normal, "name": "task-2-slow", "delay_s": delay_s, "times": 1},
                      *scenario["rules"]]}  # fmt: skip


async def frames_until_done(url: str, token: str, run_id: str) -> list[dict[str, Any]]:
    """The run's events over the WebSocket, resuming with `after=` whenever the socket
    closes early (1012 while NATS restarts), until the run's terminal event."""
    frames: list[dict[str, Any]] = []
    ws_url = url.replace("http://", "ws://") + f"/v1/runs/{run_id}/events"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        after = f"?after={frames[-1]['seq']}" if frames else ""
        try:
            async with websockets.connect(ws_url + after, open_timeout=5,
                                          additional_headers={"Authorization": f"Bearer {token}"}
                                          ) as ws:  # fmt: skip
                async for raw in ws:
                    if "event" in (frame := json.loads(raw)):  # not a heartbeat
                        frames.append(frame)
        except (OSError, websockets.WebSocketException):
            await asyncio.sleep(1)
            continue
        last = frames[-1]["event"]["type"] if frames else ""
        if last.startswith("run.") and last not in ("run.queued", "run.admitted"):
            return frames
    raise TimeoutError("the run did not end")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[GitHttpServer, Path]]:
    root = tmp_path / "served"
    bare = create_demo_repo(root)
    subprocess.run(["git", "config", "http.receivepack", "true"], cwd=bare, check=True)
    with serve_git(root, GIT_USER, GIT_TOKEN) as server:
        yield server, bare


@pytest.fixture
def model() -> Iterator[ScriptedModelServer]:
    with scripted_model_server() as server:
        yield server


@pytest.mark.timeout(600)
async def test_the_demo_survives_killed_containers_under_compose(
    tmp_path: Path, served: tuple[GitHttpServer, Path], model: ScriptedModelServer
) -> None:
    server, bare = served
    model.set_scenario(slow_second_task(8))
    with compose_stack(tmp_path) as (url, token, containers, nats_port):
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=url, headers=auth, timeout=30) as api:
            for name, value in (("git-token", GIT_TOKEN), ("model-key", "compose-key")):
                (await api.put(f"/v1/secrets/{name}", json={"value": value})).raise_for_status()
            body = {
                "name": "calc",
                "repo_url": server.url_for(bare.name),
                "credentials": {"username": GIT_USER, "token_secret": "git-token"},
                "verify": VERIFY,
                # the box inside the verify container: setup has a network, never this host's
                "setup": [REACH_NATS.format(port=nats_port)],
                "model": {"name": "openai/scripted", "api_base": model.api_base,
                          "api_key_secret": "model-key"},
            }  # fmt: skip
            created = await api.post("/v1/projects", json=body)
            assert created.status_code == 201, created.text
            started = await api.post(f"/v1/projects/{created.json()['id']}/runs", json={})
            run_id = started.json()["run_id"]
            watching = asyncio.create_task(frames_until_done(url, token, run_id))
            deadline = time.monotonic() + 180
            while not any(r["rule"] == "task-2-slow" for r in model.requests()):
                assert time.monotonic() < deadline, "task 2 never reached the model"
                await asyncio.sleep(0.2)
            implements = containers("implement")
            assert len(implements) == 2
            kill(*implements)
            (nats,) = containers("nats")
            before = restarts(nats)
            kill(nats)
            frames = await watching
            run = (await api.get(f"/v1/runs/{run_id}")).json()
        assert restarts(nats) > before, "the NATS container was not restarted"
        assert all(restarts(c) >= 1 for c in implements)
    assert run["state"] == "completed", run["failure"]
    assert git_out(bare, "show", "main:tasks_list.md") == TASKS_LIST.replace("- [ ] ", "- [x] ")
    log = git_out(bare, "log", "--format=%s", "main").splitlines()
    assert len(log) == 4, log  # one commit per task, none twice
    completed = [f["event"]["task_id"] for f in frames if f["event"]["type"] == "task.completed"]
    assert completed == ["1", "2", "3"]
    seqs = [f["seq"] for f in frames]
    assert seqs == sorted(set(seqs))
    logs = [line.strip() for f in frames if f["event"]["type"] == "log"
            for line in f["event"]["data"]["lines"]]  # fmt: skip
    assert "setup-kept-off-nats" in logs and "SETUP-REACHED-NATS" not in logs
    verifying = next(f["event"] for f in frames if f["event"]["type"] == "task.verifying")
    box = verifying["data"]["sandbox"]
    assert box["backend"] == "bwrap" and box["user"]["switched"], box
    assert "slirp4netns" in box["setup_network"], box
