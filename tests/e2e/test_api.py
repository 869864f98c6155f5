"""The rest of the REST API (project list/patch/delete, run lists, resume, events over REST)
and the live streams for people watching many things (a project's runs, a tenant's
projects): resumed by `after=` with nothing lost or repeated across forced disconnects,
heartbeats on idle sockets, and a slow client closed with 1013 instead of growing the
gateway's memory."""

import asyncio
import base64
import json
import os
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from devteam_bus.connection import connect
from devteam_cli.demo_project import create_demo_repo, demo_scenario, failing_scenario
from devteam_cli.local_stack import RunningStack
from devteam_contracts.event_data import LogData
from devteam_contracts.events import make_event
from devteam_contracts.runs import RunMode, RunState, RunStatus
from devteam_contracts.subjects import event_subject
from devteam_runs.run_store import RunStore
from devteam_scripted_model.launcher import ScriptedModelServer
from devteam_tenants.tokens import TokenStore, new_token

from e2e_client import events, extra_gateway, project_body

pytestmark = pytest.mark.e2e
FAKE_RUN = "run-aaaaaaaaaaaa"


def ws_url(stack: RunningStack, path: str, url: str | None = None) -> str:
    return (url or stack.url).replace("http://", "ws://") + path


async def run_to_end(stack: RunningStack, api: httpx.AsyncClient, project_id: str) -> str:
    """A single-task run of the project, to its end (one task keeps these tests short)."""
    started = await api.post(f"/v1/projects/{project_id}/runs", json={"mode": "single"})
    assert started.status_code == 202, started.text
    run_id = str(started.json()["run_id"])
    await events(stack, run_id)
    return run_id


async def test_projects_are_listed_patched_and_deleted(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    tag = f"lst{os.getpid()}x{int(time.time() * 1000) % 100000}"
    ids = []
    for i in range(3):
        repo = create_demo_repo(tmp_path / f"r{i}")
        body = {**project_body(repo, model), "name": f"{tag}-{i}"}
        ids.append((await api.post("/v1/projects", json=body)).json()["id"])
    page = (await api.get("/v1/projects", params={"name": tag.upper(), "limit": 2})).json()
    assert [p["id"] for p in page["items"]] == ids[:2] and page["total"] == 3
    rest = (
        await api.get("/v1/projects", params={"name": tag, "offset": page["next_offset"]})
    ).json()
    assert [p["id"] for p in rest["items"]] == ids[2:] and rest["next_offset"] is None

    patched = await api.patch(f"/v1/projects/{ids[0]}", json={"name": f"{tag}-renamed",
                                                               "verify": ["true"]})  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == f"{tag}-renamed" and patched.json()["verify"] == ["true"]
    assert patched.json()["repo_url"] == page["items"][0]["repo_url"]  # kept
    bad = await api.patch(f"/v1/projects/{ids[0]}", json={"target_branch": "a..b"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][:2] == [
        "body",
        "target_branch",
    ]
    scheme = await api.patch(f"/v1/projects/{ids[0]}", json={"repo_url": "ftp://example.com/x"})
    assert scheme.status_code == 422
    nulled = await api.patch(f"/v1/projects/{ids[0]}", json={"name": None})
    assert nulled.status_code == 422
    assert (await api.get(f"/v1/projects/{ids[0]}")).json()["name"] == f"{tag}-renamed"

    # Not while a run is active; then gone, with its audit trail kept.
    model.set_scenario({"rules": [{**demo_scenario()["rules"][0], "delay_s": 3}]})
    started = (await api.post(f"/v1/projects/{ids[1]}/runs", json={})).json()
    busy = await api.delete(f"/v1/projects/{ids[1]}")
    assert busy.status_code == 409 and started["run_id"] in busy.json()["detail"]
    await api.post(f"/v1/runs/{started['run_id']}/cancel")
    await events(stack, started["run_id"])
    assert (await api.delete(f"/v1/projects/{ids[1]}")).status_code == 204
    assert (await api.get(f"/v1/projects/{ids[1]}")).status_code == 404
    assert (await api.delete(f"/v1/projects/{ids[1]}")).status_code == 404
    actions = set()
    for target in ids[:2]:
        audit = (await api.get("/v1/audit", params={"target": target})).json()
        actions |= {(r["record"]["action"], r["record"]["target"]) for r in audit["records"]}
    assert {("project.create", ids[1]), ("project.delete", ids[1])} <= actions
    assert ("project.update", ids[0]) in actions


async def test_runs_are_listed_and_a_failed_run_resumes_as_a_new_linked_run(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    model.set_scenario(failing_scenario())
    project = (await api.post("/v1/projects", json=project_body(repo, model))).json()
    failed_id = await run_to_end(stack, api, project["id"])
    failed = (await api.get(f"/v1/runs/{failed_id}")).json()
    assert failed["state"] == "failed"
    early = await api.post(f"/v1/runs/{failed_id}/resume")
    model.set_scenario(demo_scenario())
    assert early.status_code == 202
    again = await api.post(f"/v1/runs/{failed_id}/resume")  # a retry: the same new run
    assert again.json()["run_id"] == early.json()["run_id"]
    resumed_id = early.json()["run_id"]
    await events(stack, resumed_id)
    resumed = (await api.get(f"/v1/runs/{resumed_id}")).json()
    assert resumed["state"] == "completed", resumed["failure"]
    assert resumed["resumed_from"] == failed_id and resumed["mode"] == "single"
    assert [t["id"] for t in resumed["tasks_done"]] == ["1"]
    completed_again = await api.post(f"/v1/runs/{resumed_id}/resume")
    assert completed_again.status_code == 409 and "completed" in completed_again.json()["detail"]

    listed = (await api.get(f"/v1/projects/{project['id']}/runs")).json()
    assert [r["id"] for r in listed["items"]] == [resumed_id, failed_id]
    only_failed = (await api.get(f"/v1/projects/{project['id']}/runs",
                                 params={"state": "failed"})).json()  # fmt: skip
    assert [r["id"] for r in only_failed["items"]] == [failed_id]
    tenant = (await api.get("/v1/runs", params={"limit": 200})).json()
    assert {resumed_id, failed_id} <= {r["id"] for r in tenant["items"]}
    assert (await api.get("/v1/runs", params={"state": "nonsense"})).status_code == 422


async def test_events_over_rest_are_the_websocket_frames_page_by_page(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    model.set_scenario(demo_scenario())
    project = (await api.post("/v1/projects", json=project_body(repo, model))).json()
    run_id = await run_to_end(stack, api, project["id"])
    frames = await events(stack, run_id)
    paged: list[dict[str, Any]] = []
    after = 0
    while True:
        page = (await api.get(f"/v1/runs/{run_id}/events",
                              params={"after": after, "limit": 7})).json()  # fmt: skip
        paged += page["frames"]
        after = page["next_after"]
        if not page["more"]:
            break
    assert paged == frames
    empty = (await api.get(f"/v1/runs/{run_id}/events", params={"after": after})).json()
    assert empty == {"frames": [], "next_after": after, "more": False}
    assert (await api.get("/v1/runs/run-000000000000/events")).status_code == 404
    assert (await api.get(f"/v1/runs/{run_id}/events", params={"limit": 0})).status_code == 422


@pytest.fixture
async def tenant(stack: RunningStack) -> Any:
    """A tenant of its own (so its streams hold only what a test puts there), with a token,
    and a way to publish synthetic events of a fake run straight to JetStream."""
    name = f"t{os.getpid()}{int(time.time() * 1000) % 10_000_000}"
    token = new_token()
    bus = await connect(stack.bus_settings(), "test")
    await TokenStore(bus).add(token, name)

    async def publish(
        count: int, project: str = "prj-aaaaaaaaaaaa", size: int = 10, run: str = FAKE_RUN
    ) -> list[int]:
        seqs = []
        for i in range(count):
            event = make_event(LogData(lines=["x" * size]), run_id=run, tenant=name,
                               project_id=project, at=datetime.now(UTC),
                               message=f"line {i}")  # fmt: skip
            subject = event_subject(name, project, event.run_id)
            ack = await bus.js.publish(subject, event.model_dump_json().encode())
            seqs.append(ack.seq)
        return seqs

    yield name, token, publish, bus
    await bus.close()


async def test_every_stream_resumes_across_forced_disconnects_while_events_flow(
    stack: RunningStack, tenant: Any, model: ScriptedModelServer, repo: Path
) -> None:
    name, token, publish, bus = tenant
    headers = {"Authorization": f"Bearer {token}"}
    body = project_body(repo, model)
    body["model"] |= {"api_key_env": None, "api_key_secret": "model-key"}
    async with httpx.AsyncClient(base_url=stack.url, headers=headers) as api:
        await api.put("/v1/secrets/model-key", json={"value": "unused"})
        created = await api.post("/v1/projects", json=body)
    assert created.status_code == 201, created.text
    project_id = created.json()["id"]
    at = datetime.now(UTC)
    run = RunState(id=FAKE_RUN, tenant=name, project_id=project_id, mode=RunMode.SINGLE,
                   state=RunStatus.RUNNING, created_at=at, updated_at=at)  # fmt: skip
    await RunStore(bus).create(run)

    async def follow(path: str) -> list[int]:
        """Read a little, hang up, come back with after=<last seq>; six times, then stay
        away while the rest is published and read it all on the seventh."""
        seen: list[int] = []
        after = 0
        for _ in range(6):
            async with websockets.connect(ws_url(stack, f"{path}?after={after}"),
                                          additional_headers=headers) as ws:  # fmt: skip
                for _ in range(60):
                    seen.append(json.loads(await asyncio.wait_for(ws.recv(), 10))["seq"])
            after = seen[-1]
        published = await publishing  # away "for minutes" while everything was published
        async with websockets.connect(ws_url(stack, f"{path}?after={after}"),
                                      additional_headers=headers) as ws:  # fmt: skip
            while seen[-1] != published[-1]:
                seen.append(json.loads(await asyncio.wait_for(ws.recv(), 10))["seq"])
        return seen

    publishing = asyncio.create_task(publish(600, project=project_id))
    paths = ["/v1/events", f"/v1/projects/{project_id}/events", f"/v1/runs/{FAKE_RUN}/events"]
    seen = await asyncio.gather(*(follow(path) for path in paths))
    published = await publishing
    for path, got in zip(paths, seen, strict=True):
        assert got == published, path  # every event exactly once, in order


async def test_a_project_stream_carries_only_its_project_and_idle_sockets_get_heartbeats(
    stack: RunningStack, tenant: Any
) -> None:
    _name, token, publish, _bus = tenant
    headers = {"Authorization": f"Bearer {token}"}
    mine = await publish(5, project="prj-bbbbbbbbbbbb")
    await publish(5, project="prj-cccccccccccc")
    # (The fake projects are not registered: their own streams are 404s, see below.)
    async with websockets.connect(ws_url(stack, "/v1/events?after=0&heartbeat_s=0.5"),
                                  additional_headers=headers) as ws:  # fmt: skip
        frames = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(10)]
        beat = json.loads(await asyncio.wait_for(ws.recv(), 5))
    projects = [f["event"]["project_id"] for f in frames]
    assert projects == ["prj-bbbbbbbbbbbb"] * 5 + ["prj-cccccccccccc"] * 5
    assert [f["seq"] for f in frames][:5] == mine
    assert beat["heartbeat"] is True and beat["seq"] == frames[-1]["seq"]
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        async with websockets.connect(ws_url(stack, "/v1/projects/prj-bbbbbbbbbbbb/events"),
                                      additional_headers=headers):  # fmt: skip
            pass
    assert refused.value.response.status_code == 404


async def test_a_project_stream_follows_every_run_of_the_project(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    model.set_scenario(demo_scenario())
    project = (await api.post("/v1/projects", json=project_body(repo, model))).json()
    headers = {"Authorization": f"Bearer {stack.token}"}
    url = ws_url(stack, f"/v1/projects/{project['id']}/events")
    async with websockets.connect(url, additional_headers=headers) as ws:
        first = await run_to_end(stack, api, project["id"])
        types: list[tuple[str, str]] = []
        while ("run.completed", first) not in types:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
            types.append((frame["event"]["type"], frame["event"]["run_id"]))
    assert ("run.queued", first) in types and {r for _t, r in types} == {first}


@pytest.fixture
def small_buffer_gateway(stack: RunningStack, tmp_path: Path) -> Iterator[str]:
    """Another gateway on the same NATS whose sockets may fall only 20 frames behind."""
    with extra_gateway(stack, tmp_path / "gateway.log", DEVTEAM_GATEWAY_WS_BUFFER="20") as url:
        yield url


async def raw_websocket(url: str, path: str, token: str) -> tuple[Any, Any]:
    """A WebSocket handshake by hand on a socket with a tiny receive buffer, so that not
    reading really leaves the bytes with the server (client libraries read ahead)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    host, port = url.removeprefix("http://").split(":")
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    # a small limit: the stream reader stops reading ahead (it would take megabytes)
    reader, writer = await asyncio.open_connection(sock=sock, limit=8192)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        f"Authorization: Bearer {token}\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer


async def read_frames(reader: Any) -> tuple[list[int], int | None]:
    """Server frames until the close frame: the seqs of the text frames, and the close code."""
    seqs: list[int] = []
    while True:
        try:
            first, second = await asyncio.wait_for(reader.readexactly(2), 10)
        except TimeoutError:
            return seqs, None
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(await reader.readexactly(2), "big")
        elif length == 127:
            length = int.from_bytes(await reader.readexactly(8), "big")
        payload = await reader.readexactly(length)
        opcode = first & 0x0F
        if opcode == 0x8:
            return seqs, int.from_bytes(payload[:2], "big") if payload else None
        if opcode == 0x1:
            frame = json.loads(payload)
            if "seq" in frame and not frame.get("heartbeat"):
                seqs.append(frame["seq"])


async def test_a_client_that_does_not_read_is_closed_with_1013_and_resumes(
    stack: RunningStack, tenant: Any, small_buffer_gateway: str
) -> None:
    _name, token, publish, _bus = tenant
    published = await publish(300, size=20_000)  # 6 MB: more than the sockets hold
    reader, writer = await raw_websocket(small_buffer_gateway, "/v1/events?after=0", token)
    await asyncio.sleep(3)  # not reading: the gateway's bounded buffer fills up
    got, code = await read_frames(reader)
    writer.close()
    assert code == 1013
    assert got == published[: len(got)] and len(got) < len(published)
    # and it resumes from the last frame it got
    headers = {"Authorization": f"Bearer {token}"}
    again = ws_url(stack, f"/v1/events?after={got[-1]}", small_buffer_gateway)
    async with websockets.connect(again, additional_headers=headers) as ws:
        more = [json.loads(await asyncio.wait_for(ws.recv(), 10))["seq"] for _ in range(50)]
    assert more == published[len(got) : len(got) + 50]


async def test_metrics_are_served_in_prometheus_format_to_operators_only(
    stack: RunningStack, api: httpx.AsyncClient
) -> None:
    # they name every tenant and its usage: not on the API's port, to anyone
    assert (await api.get("/metrics")).status_code == 404
    assert (await httpx.AsyncClient().get(stack.url + "/metrics")).status_code == 404
    assert stack.metrics_url.startswith("http://127.0.0.1:") and stack.url not in stack.metrics_url
    async with httpx.AsyncClient() as operator:
        text = (await operator.get(stack.metrics_url)).text
    for name in ("devteam_runs{", "devteam_stage_pending{", "devteam_stage_ack_pending{",
                 "devteam_websocket_clients", "devteam_events_total{", "devteam_model_tokens{",
                 "devteam_stage_seconds_bucket{"):  # fmt: skip
        assert name in text, name
    assert 'devteam_runs{state="completed"}' in text
