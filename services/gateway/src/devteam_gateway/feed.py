"""The gateway's one live feed of events, shared by all its WebSockets.

A single ordered consumer on every event subject, read by one task: each event is parsed and
serialised once, counted for `/metrics`, and offered to every socket that wants it (by tenant,
project and run). A socket registers with the feed *before* it replays what is stored, so
the two overlap and nothing falls between them; the stream sequence drops the overlap.
Offering never waits: a socket whose bounded queue is full is failed with 1013 and removed.
"""

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from nats.js import api
from pydantic import ValidationError

from devteam_bus.connection import Bus
from devteam_contracts.events import Event, EventFrame
from devteam_contracts.subjects import EVENTS_SUBJECTS, STREAM_EVENTS
from devteam_gateway import metrics

log = logging.getLogger(__name__)
NATS_AWAY = 1012  # "service restart": reconnect with ?after=<last seq>
TOO_SLOW = 1013  # "try again later": the client fell behind the bounded buffer


class Live(NamedTuple):
    """One event as every socket sends it."""

    seq: int
    text: str  # the `{seq, event}` frame, serialised once
    terminal: bool


@dataclass(eq=False)
class Listener:
    """One socket's interest and its bounded queue of live frames."""

    tenant: str
    project_id: str | None
    run_id: str | None
    queue: asyncio.Queue[Live]
    failed: asyncio.Future[tuple[int, str]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def wants(self, project_id: str, run_id: str) -> bool:
        return (self.project_id is None or self.project_id == project_id) and (
            self.run_id is None or self.run_id == run_id
        )

    def fail(self, code: int, reason: str) -> None:
        if not self.failed.done():
            self.failed.set_result((code, reason))


class Feed:
    def __init__(self, bus: Bus, buffer: int) -> None:
        self.bus = bus
        self.buffer = buffer
        self.last = 0  # the stream sequence of the last event read
        self._by_tenant: dict[str, set[Listener]] = {}
        self._sub: Any = None

    def listen(
        self, tenant: str, project_id: str | None = None, run_id: str | None = None
    ) -> Listener:
        listener = Listener(tenant, project_id, run_id, asyncio.Queue(maxsize=self.buffer))
        self._by_tenant.setdefault(tenant, set()).add(listener)
        return listener

    def forget(self, listener: Listener) -> None:
        listeners = self._by_tenant.get(listener.tenant)
        if listeners is not None:
            listeners.discard(listener)
            if not listeners:
                del self._by_tenant[listener.tenant]

    async def start(self) -> None:
        """Subscribe from the stream's end; awaited before the gateway takes a socket."""
        info = await self.bus.js.stream_info(STREAM_EVENTS)
        self.last = info.state.last_seq
        await self._subscribe()

    async def _subscribe(self) -> None:
        config = api.ConsumerConfig(
            deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self.last + 1
        )
        self._sub = await self.bus.js.subscribe(
            EVENTS_SUBJECTS, stream=STREAM_EVENTS, ordered_consumer=True, config=config
        )

    async def run(self) -> None:
        """Read and offer events until cancelled; after a broken subscription, fail every
        socket with 1012 (they resume with `after=`) and subscribe again after the last read."""
        while True:
            try:
                msg = await self._sub.next_msg(timeout=1)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # nats-py raises its own TimeoutError subclass
                if isinstance(exc, TimeoutError):
                    continue
                log.warning("the event feed broke (%s); subscribing again", exc)
                self._fail_all(NATS_AWAY, "events unavailable; resume with after=")
                await self._resubscribe()
                continue
            self.offer(msg.metadata.sequence.stream, msg.subject, msg.data)

    async def _resubscribe(self) -> None:
        with contextlib.suppress(Exception):
            await self._sub.unsubscribe()
        while True:
            try:
                await self._subscribe()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                await asyncio.sleep(1)

    def offer(self, seq: int, subject: str, data: bytes) -> None:
        """Hand one stored event to every socket that wants it."""
        self.last = seq
        try:
            event = Event.model_validate_json(data)
        except ValidationError:
            log.warning("skipping an unparseable event at seq %s", seq)
            return
        metrics.observe(event)
        metrics.FEED_LAG.observe(max(0.0, time.time() - event.at.timestamp()))
        tokens = subject.split(".", 4)  # devteam.evt.<tenant>.<project>.<run>
        listeners = self._by_tenant.get(tokens[2]) if len(tokens) == 5 else None
        if not listeners:
            return
        project_id, run_id = tokens[3], tokens[4]
        live: Live | None = None
        for listener in list(listeners):
            if not listener.wants(project_id, run_id):
                continue
            if live is None:
                text = EventFrame(seq=seq, event=event).model_dump_json()
                live = Live(seq, text, event.type.terminal)
            try:
                listener.queue.put_nowait(live)
            except asyncio.QueueFull:
                metrics.WS_SLOW_CLOSED.inc()
                behind = f"more than {self.buffer} events behind; resume with after="
                listener.fail(TOO_SLOW, behind)
                self.forget(listener)

    def _fail_all(self, code: int, reason: str) -> None:
        for listeners in list(self._by_tenant.values()):
            for listener in list(listeners):
                listener.fail(code, reason)
                self.forget(listener)

    async def close(self) -> None:
        self._fail_all(NATS_AWAY, "the gateway is stopping; resume with after=")
        with contextlib.suppress(Exception):
            await self._sub.unsubscribe()
