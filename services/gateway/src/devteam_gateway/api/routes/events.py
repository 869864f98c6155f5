"""WebSocket `/v1/runs/{id}/events?after=<seq>`: replay a run's events from `after`, then live."""

import asyncio
import contextlib
import logging

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from nats.js import api
from pydantic import ValidationError

from devteam_bus.connection import Bus
from devteam_bus.runstore import RunStore
from devteam_contracts.events import Event, EventFrame
from devteam_contracts.ids import is_safe_id
from devteam_contracts.subjects import STREAM_EVENTS, event_subject
from devteam_gateway.auth import TokenCache
from devteam_gateway.deps import bearer_token
from devteam_gateway.problems import problem

router = APIRouter(prefix="/v1", tags=["events"])
log = logging.getLogger(__name__)
NATS_AWAY = 1012  # WebSocket close code "service restart": reconnect with ?after=<last seq>


@router.websocket("/runs/{run_id}/events")
async def run_events(websocket: WebSocket, run_id: str, after: int = 0) -> None:
    """Stream `{seq, event}` frames; the socket closes after the run's terminal event.

    Browsers cannot set headers on a WebSocket, so the token may also come as `?token=`.
    """
    bus: Bus = websocket.app.state.bus
    tokens: TokenCache = websocket.app.state.tokens
    token = bearer_token(websocket.headers.get("authorization")) or websocket.query_params.get(
        "token"
    )
    principal = await tokens.principal(token) if token else None
    # Refused before the handshake with the same HTTP problems as the REST API: 401, and a 404
    # that is the same for a missing run and another tenant's.
    if principal is None:
        await websocket.send_denial_response(
            problem(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})
        )
        return
    run = await RunStore(bus).get(run_id) if is_safe_id(run_id) else None
    if run is None or run.tenant != principal.tenant:
        await websocket.send_denial_response(problem(404, "run not found"))
        return
    if after < 0:
        await websocket.send_denial_response(problem(422, "after: must be ≥ 0"))
        return
    await websocket.accept()
    config = api.ConsumerConfig(
        deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE if after else api.DeliverPolicy.ALL,
        opt_start_seq=after + 1 if after else None,
    )
    sub = await bus.js.subscribe(
        event_subject(run.tenant, run.project_id, run.id),
        stream=STREAM_EVENTS,
        ordered_consumer=True,
        config=config,
    )
    # Notice a client that goes away even while no event arrives.
    closed = asyncio.create_task(_wait_closed(websocket))
    try:
        while not closed.done():
            if not bus.nc.is_connected:
                # The bus went away: say so and let the client resume with `after=<last seq>`
                # once it is back (1012: service restart).
                await websocket.close(
                    code=NATS_AWAY, reason="events unavailable; resume with after="
                )
                break
            try:
                msg = await sub.next_msg(timeout=1)
            except TimeoutError:
                continue
            except Exception as exc:  # nats-py raises its own TimeoutError subclass
                if type(exc).__name__ == "TimeoutError":
                    continue
                raise
            try:
                event = Event.model_validate_json(msg.data)
            except ValidationError:
                log.warning("skipping an unparseable event at seq %s", msg.metadata.sequence.stream)
                continue
            frame = EventFrame(seq=msg.metadata.sequence.stream, event=event)
            await websocket.send_text(frame.model_dump_json())
            if event.type.terminal:
                await websocket.close(code=status.WS_1000_NORMAL_CLOSURE)
                break
    except WebSocketDisconnect:
        pass
    finally:
        closed.cancel()
        with contextlib.suppress(Exception):
            await sub.unsubscribe()


async def _wait_closed(websocket: WebSocket) -> None:
    with contextlib.suppress(Exception):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
