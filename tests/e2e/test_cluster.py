"""A three-node NATS cluster (`devteam up --cluster 3`, every stream and bucket with three
replicas) loses its JetStream meta leader, and then the server leading the command stream,
while runs are in flight. A new leader is elected in seconds, the stages retry under the same
message ids, every run completes with each task committed once and its event stream whole,
and each killed node rejoins and catches up with its peers.

Opt-in (`make test-cluster`): it takes a minute and would crowd `make test`'s time budget."""

import asyncio
import json
import os
import signal
import time
import urllib.request
from pathlib import Path
from typing import Any

import httpx
import pytest

from devteam_bus.connection import connect
from devteam_cli.demo_project import create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_contracts.subjects import STREAM_COMMANDS, STREAM_EVENTS
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import (
    ALLOW_KEY,
    KEY_ENV,
    MODEL_KEY,
    assert_done_once,
    assert_events_whole,
    events,
    project_body,
)
from support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.cluster, pytest.mark.timeout(300)]

ENV = {KEY_ENV: MODEL_KEY, **ALLOW_KEY, "DEVTEAM_ACK_WAIT_S": "4", "DEVTEAM_NAK_DELAY_S": "0.5"}
RUNS = 3


def jsz(url: str) -> dict[str, Any]:
    """A node's JetStream report (`/jsz` of its monitoring port), with its streams."""
    with urllib.request.urlopen(f"{url}/jsz?streams=true", timeout=2) as resp:  # noqa: S310
        return dict(json.load(resp))


def streams_of(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        st["name"]: st
        for account in report.get("account_details", [])
        for st in account.get("stream_detail", [])
    }


def live(stack: RunningStack, but: str = "") -> list[str]:
    """Monitoring URLs of the nodes other than `but` (a node name, `nats-<i>`)."""
    return [url for node, url in stack.nats_monitor.items() if node != but]


def node_of(server_name: str) -> str:
    """`devteam-2` (the server's name) → `nats-2` (its process)."""
    return "nats-" + server_name.rsplit("-", 1)[1]


def pids(stack: RunningStack) -> dict[str, int]:
    return dict(json.loads((stack.data_dir / "stack.json").read_text())["pids"])


async def kill_and_time_election(stack: RunningStack, node: str, serving: Any) -> float:
    """SIGKILL `node`; seconds until the survivors serve `serving(js)` again (a leader was
    elected: the supervisor restarts the node at once, so it may win again). Then wait
    until the node is back."""
    old = pids(stack)[node]
    index = int(node.rsplit("-", 1)[1]) - 1
    survivors = ",".join(u for i, u in enumerate(stack.nats_url.split(",")) if i != index)
    bus = await connect(stack.bus_settings(nats_url=survivors), "test-probe")
    bus.js = bus.nc.jetstream(timeout=1)
    try:
        os.kill(old, signal.SIGKILL)
        killed = time.monotonic()

        async def elected() -> bool:
            try:
                return bool(await serving(bus.js))
            except Exception:  # no leader yet: timeouts, 503s, no responders
                return False

        await eventually(elected, timeout_s=30, what=f"a leader after {node} died")
        took = time.monotonic() - killed
    finally:
        await bus.close()

    async def restarted() -> bool:
        return pids(stack)[node] != old

    await eventually(restarted, timeout_s=30, what=f"{node} restarted")
    return took


async def meta_serving(js: Any) -> bool:
    """The meta leader answers (account info goes through it)."""
    await js.account_info()
    return True


async def commands_serving(js: Any) -> bool:
    """The command stream has a leader that answers."""
    info = await js.stream_info(STREAM_COMMANDS)
    return bool(info.cluster and info.cluster.leader)


async def caught_up(stack: RunningStack) -> bool:
    """Every node holds every stream with the same last sequence and message count."""
    try:
        states = [streams_of(jsz(url)) for url in live(stack)]
    except OSError:
        return False
    for name in (STREAM_COMMANDS, STREAM_EVENTS):
        seen = {(s[name]["state"]["last_seq"], s[name]["state"]["messages"]) for s in states
                if name in s}  # fmt: skip
        if len(seen) != 1 or not all(name in s for s in states):
            return False
    return True


async def test_leader_loss_is_survived_and_the_node_catches_up(
    model: ScriptedModelServer, tmp_path: Path
) -> None:
    scenario = demo_scenario()
    for rule in scenario["rules"]:
        rule["delay_s"] = 1.0  # the runs are still going while leaders die
    model.set_scenario(scenario)
    repos = [create_demo_repo(tmp_path / f"repo-{i}") for i in range(RUNS)]
    with local_stack(tmp_path / "stack", ENV, cluster=3, scale={"implement": 2}) as stack:
        headers = {"Authorization": f"Bearer {stack.token}"}
        async with httpx.AsyncClient(base_url=stack.url, headers=headers, timeout=30) as api:
            run_ids = []
            for i, repo in enumerate(repos):
                body = {**project_body(repo, model), "name": f"calc-{i}"}
                project = (await api.post("/v1/projects", json=body)).json()
                started = await api.post(f"/v1/projects/{project['id']}/runs", json={})
                run_ids.append(started.json()["run_id"])
            watching = [asyncio.create_task(events(stack, r)) for r in run_ids]

            async def working() -> bool:
                return len(model.requests()) >= RUNS

            await eventually(working, timeout_s=60, what="Aider at work")

            meta = jsz(live(stack)[0])["meta_cluster"]["leader"]
            meta_s = await kill_and_time_election(stack, node_of(meta), meta_serving)
            await eventually(lambda: caught_up(stack), timeout_s=60, what="the node rejoined")
            cmd_leader = streams_of(jsz(live(stack)[0]))[STREAM_COMMANDS]["cluster"]["leader"]
            stream_s = await kill_and_time_election(stack, node_of(cmd_leader), commands_serving)
            frames = await asyncio.wait_for(asyncio.gather(*watching), 180)
            runs = [(await api.get(f"/v1/runs/{r}")).json() for r in run_ids]
        for repo, run, run_frames in zip(repos, runs, frames, strict=True):
            assert_done_once(repo, run)
            assert_events_whole(run_frames)
        await eventually(lambda: caught_up(stack), timeout_s=60, what="every node caught up")
        print(f"\nelection after the meta leader died: {meta_s:.2f} s; "
              f"after the command stream's leader died: {stream_s:.2f} s")  # fmt: skip
        log = (stack.data_dir / "devteam-up.log").read_text()
        assert f"{node_of(meta)} exited (-9); restarting" in log
        assert f"{node_of(cmd_leader)} exited (-9); restarting" in log
        assert "gateway-1 exited" not in log  # the services failed over; none was restarted
