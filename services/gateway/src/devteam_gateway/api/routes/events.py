"""Event streams, replayed from `after=<seq>` and then live:

* WebSocket `/v1/runs/{id}/events` — one run; closes after the run's terminal event;
* WebSocket `/v1/projects/{id}/events` — every run of a project;
* WebSocket `/v1/events` — every project of the caller's tenant (the project manager's view);
* `GET /v1/runs/{id}/events?after=&limit=` — the same frames over REST, a page at a time.

Frames are `{seq, event}` with the JetStream stream sequence; sequences increase along every
stream, so `after=<last seq seen>` resumes any of them with nothing lost or repeated. An idle
socket gets `{"heartbeat": true, "seq": <last seq sent>, "at": …}` every `heartbeat_s`.
A client that falls more than `DEVTEAM_GATEWAY_WS_BUFFER` frames behind is closed with 1013
(resume with `after=`); while NATS is away sockets are closed with 1012 (the same).
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, WebSocket, WebSocketDisconnect, status
from nats.js import api
from pydantic import BaseModel, Field, ValidationError

from devteam_bus.connection import Bus
from devteam_bus.kv import messages_to_read
from devteam_contracts.events import EventFrame, Heartbeat, parse_event
from devteam_contracts.ids import is_safe_id
from devteam_contracts.runs import RunState
from devteam_contracts.subjects import STREAM_EVENTS, event_subject, events_filter
from devteam_gateway.auth import Principal, TokenCache
from devteam_gateway.deps import BusDep, PrincipalDep, bearer_token
from devteam_gateway.feed import NATS_AWAY, TOO_SLOW, Feed, Live
from devteam_gateway.metrics import WS_CLIENTS, WS_SLOW_CLOSED
from devteam_gateway.problems import problem
from devteam_runs.run_store import RunStore
from devteam_tenants.projects import ProjectStore

router = APIRouter(prefix="/v1", tags=["events"])
log = logging.getLogger(__name__)
MAX_PAGE = 1000


class EventPage(BaseModel):
    """A page of a run's events (`GET /v1/runs/{id}/events`)."""

    frames: list[EventFrame]
    next_after: int = Field(description="Pass as `after` for the next page.")
    more: bool = Field(description="True when more events were stored after this page.")


def run_subject(run: RunState) -> str:
    return event_subject(run.tenant, run.project_id, run.id)


def tenant_subject(tenant: str, project_id: str | None = None) -> str:
    return events_filter(tenant, project_id)


def _start(after: int) -> api.ConsumerConfig:
    return api.ConsumerConfig(
        deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE if after else api.DeliverPolicy.ALL,
        opt_start_seq=after + 1 if after else None,
    )


def _frame(msg: Any) -> EventFrame | None:
    try:
        return EventFrame(seq=msg.metadata.sequence.stream, event=parse_event(msg.data))
    except ValidationError:
        log.warning("skipping an unparseable event at seq %s", msg.metadata.sequence.stream)
        return None


@contextlib.asynccontextmanager
async def _stored(bus: Bus, subject: str, after: int) -> AsyncIterator[tuple[Any, int]]:
    """An ordered consumer on `subject` from `after`, and how many events it holds now."""
    sub = await bus.js.subscribe(
        subject, stream=STREAM_EVENTS, ordered_consumer=True, config=_start(after)
    )
    try:
        yield sub, await messages_to_read(sub)
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()


async def read_page(bus: Bus, subject: str, after: int, limit: int) -> EventPage:
    """Up to `limit` frames of `subject` after `after`, without waiting for new ones."""
    frames: list[EventFrame] = []
    async with _stored(bus, subject, after) as (sub, stored):
        taken = min(stored, limit)
        for _ in range(taken):
            frame = _frame(await sub.next_msg(timeout=5))
            if frame is not None:
                frames.append(frame)
    next_after = frames[-1].seq if frames else after
    return EventPage(frames=frames, next_after=next_after, more=stored > taken)


@router.get("/runs/{run_id}/events")
async def run_events_page(
    run_id: str,
    bus: BusDep,
    who: PrincipalDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> EventPage:
    """The run's events after `after`, the same frames the WebSocket sends, for clients
    that cannot hold a socket: poll with `after=next_after` until the run's terminal event."""
    run = await RunStore(bus).get(run_id) if is_safe_id(run_id) else None
    if run is None or run.tenant != who.tenant:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "run not found")
    return await read_page(bus, run_subject(run), after, limit)


async def _authenticate(websocket: WebSocket) -> Principal | None:
    """The caller, or None after refusing the handshake with a 401 problem. Browsers cannot
    set headers on a WebSocket: the token may come as the `bearer.<token>` subprotocol, or
    (discouraged: URLs get logged) as `?token=`."""
    tokens: TokenCache = websocket.app.state.tokens
    token = bearer_token(websocket.headers.get("authorization")) or _subprotocol_token(
        websocket
    ) or websocket.query_params.get("token")  # fmt: skip
    principal = await tokens.principal(token) if token else None
    if principal is None:
        await websocket.send_denial_response(
            problem(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})
        )
    return principal


def _subprotocol_token(websocket: WebSocket) -> str | None:
    for proto in websocket.scope.get("subprotocols", []):
        if proto.startswith("bearer."):
            return str(proto.removeprefix("bearer."))
    return None


async def _accept(websocket: WebSocket) -> None:
    offered = websocket.scope.get("subprotocols", [])
    # Echo the subprotocol the browser offered (it refuses a handshake that does not).
    await websocket.accept(subprotocol="devteam.v1" if "devteam.v1" in offered else None)


async def _refuse_args(websocket: WebSocket, after: int, heartbeat_s: float) -> bool:
    if after < 0 or not 0.5 <= heartbeat_s <= 300:
        await websocket.send_denial_response(
            problem(422, "after: must be ≥ 0; heartbeat_s: between 0.5 and 300")
        )
        return True
    return False


@router.websocket("/runs/{run_id}/events")
async def run_events(
    websocket: WebSocket, run_id: str, after: int = 0, heartbeat_s: float = 15.0
) -> None:
    """Stream the run's `{seq, event}` frames; closes (1000) after its terminal event."""
    principal = await _authenticate(websocket)
    if principal is None or await _refuse_args(websocket, after, heartbeat_s):
        return
    bus: Bus = websocket.app.state.bus
    run = await RunStore(bus).get(run_id) if is_safe_id(run_id) else None
    # 404 is the same for a missing run and another tenant's.
    if run is None or run.tenant != principal.tenant:
        await websocket.send_denial_response(problem(404, "run not found"))
        return
    await _accept(websocket)
    scope = (run.tenant, run.project_id, run.id)
    await stream(websocket, run_subject(run), scope, after, heartbeat_s, until_terminal=True)


@router.websocket("/projects/{project_id}/events")
async def project_events(
    websocket: WebSocket, project_id: str, after: int = 0, heartbeat_s: float = 15.0
) -> None:
    """Stream the frames of every run of the project (never closes on its own)."""
    principal = await _authenticate(websocket)
    if principal is None or await _refuse_args(websocket, after, heartbeat_s):
        return
    bus: Bus = websocket.app.state.bus
    found = (
        await ProjectStore(bus).get(principal.tenant, project_id)
        if is_safe_id(project_id)
        else None
    )
    if found is None:
        await websocket.send_denial_response(problem(404, "project not found"))
        return
    await _accept(websocket)
    subject = tenant_subject(principal.tenant, project_id)
    await stream(websocket, subject, (principal.tenant, project_id, None), after, heartbeat_s)


@router.websocket("/events")
async def tenant_events(websocket: WebSocket, after: int = 0, heartbeat_s: float = 15.0) -> None:
    """Stream the frames of every run of every project of the caller's tenant."""
    principal = await _authenticate(websocket)
    if principal is None or await _refuse_args(websocket, after, heartbeat_s):
        return
    await _accept(websocket)
    subject = tenant_subject(principal.tenant)
    await stream(websocket, subject, (principal.tenant, None, None), after, heartbeat_s)


async def stream(
    websocket: WebSocket,
    subject: str,
    scope: tuple[str, str | None, str | None],
    after: int,
    heartbeat_s: float,
    *,
    until_terminal: bool = False,
) -> None:
    """Replay `subject` from `after`, then follow it live from the gateway's feed (see
    `devteam_gateway.feed`; `scope` is its tenant, project and run). A reader of the stored
    events and the feed each fill a bounded queue, the writer empties them into the socket in
    turn: a client that cannot keep up is closed with 1013 once either is full, so the
    gateway's memory stays bounded."""
    bus: Bus = websocket.app.state.bus
    feed: Feed = websocket.app.state.feed
    loop = asyncio.get_running_loop()
    listener = feed.listen(*scope)  # before the replay: the two overlap, nothing is missed
    queue = listener.queue
    replay: asyncio.Queue[Live | None] = asyncio.Queue(maxsize=feed.buffer)

    async def read_stored() -> None:
        try:
            async with _stored(bus, subject, after) as (sub, stored):
                for _ in range(stored):
                    frame = _frame(await sub.next_msg(timeout=5))
                    if frame is not None:
                        terminal = frame.event.type.terminal
                        replay.put_nowait(Live(frame.seq, frame.model_dump_json(), terminal))
            replay.put_nowait(None)
        except asyncio.QueueFull:
            WS_SLOW_CLOSED.inc()
            listener.fail(TOO_SLOW, f"more than {feed.buffer} events behind; resume with after=")

    async def write() -> None:
        last, quiet = after, loop.time()

        async def send(seq: int, text: str, terminal: bool) -> bool:
            """Send one frame unless it was sent already; True once the stream is over."""
            nonlocal last, quiet
            if seq <= last:
                return False
            await websocket.send_text(text)
            last, quiet = seq, loop.time()
            if until_terminal and terminal:
                listener.fail(status.WS_1000_NORMAL_CLOSURE, "the run ended")
                return True
            return False

        while (stored := await replay.get()) is not None:
            if await send(*stored):
                return
        poll = min(1.0, heartbeat_s)
        while True:
            if queue.empty():
                try:
                    live = await asyncio.wait_for(queue.get(), poll)
                except TimeoutError:
                    if not bus.nc.is_connected:
                        listener.fail(NATS_AWAY, "events unavailable; resume with after=")
                        return
                    if loop.time() - quiet >= heartbeat_s:
                        beat = Heartbeat(heartbeat=True, seq=last, at=datetime.now(UTC))
                        await websocket.send_text(beat.model_dump_json())
                        quiet = loop.time()
                    continue
            else:
                live = queue.get_nowait()
            if await send(*live):
                return

    async def watch_client() -> None:
        with contextlib.suppress(Exception):
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
        listener.fail(0, "client went away")

    WS_CLIENTS.inc()
    tasks = [asyncio.create_task(t()) for t in (read_stored, write, watch_client)]

    def on_done(task: asyncio.Task[None]) -> None:
        # The replay lost NATS, or a send to a vanished client failed (closing it is harmless).
        if not task.cancelled() and task.exception() is not None:
            listener.fail(NATS_AWAY, "events unavailable; resume with after=")

    for task in tasks:
        task.add_done_callback(on_done)
    try:
        code, reason = await listener.failed
        if code:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(code=code, reason=reason), 5)
    except WebSocketDisconnect:
        pass
    finally:
        WS_CLIENTS.dec()
        feed.forget(listener)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
