"""The gateway's one live feed of events, shared by all its WebSockets.

The events stream republishes every event once stored, with its stream sequence
(`devteam.live.evt.>`, core NATS: no consumer and no flow control between the store and the
gateway). One task reads them in sequence order, filling any gap from the stream: each event
is parsed and serialised once, counted for `/metrics`, and offered to every socket that wants
it (by tenant, project and run). A socket registers with the feed *before* it replays what
is stored, so the two overlap and nothing falls between them; the sequence drops the overlap.
Offering never waits: a socket whose bounded queue is full is failed with 1013 and removed.
"""

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from nats.js.errors import NotFoundError
from pydantic import ValidationError

from devteam_bus.connection import Bus
from devteam_contracts.events import EventFrame, parse_event
from devteam_contracts.subjects import EVENTS_LIVE_SUBJECTS, STREAM_EVENTS, parse_event_subject
from devteam_gateway import metrics

log = logging.getLogger(__name__)
NATS_AWAY = 1012  # "service restart": reconnect with ?after=<last seq>
TOO_SLOW = 1013  # "try again later": the client fell behind the bounded buffer
CATCH_UP_S = 1.0  # with nothing heard for this long, check the stream for missed events
PENDING_LIMIT = 100_000  # republished events held for the feed before core NATS drops some


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
        self._sub = await self.bus.nc.subscribe(
            EVENTS_LIVE_SUBJECTS, pending_msgs_limit=PENDING_LIMIT
        )

    async def run(self) -> None:
        """Offer each republished event in stream order until cancelled. A gap in the
        sequence (a message core NATS dropped, a reconnect) is filled from the stream; so is
        what was stored while the feed heard nothing for a second."""
        while True:
            try:
                msg = await self._sub.next_msg(timeout=CATCH_UP_S)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # nats-py raises its own TimeoutError subclass
                if not isinstance(exc, TimeoutError):
                    log.warning("the event feed's subscription failed (%s)", exc)
                    await asyncio.sleep(CATCH_UP_S)
                await self._catch_up()
                continue
            headers = msg.headers or {}
            try:
                seq, subject = int(headers["Nats-Sequence"]), headers["Nats-Subject"]
            except (KeyError, ValueError):
                log.warning("skipping a live event without its stream sequence")
                continue
            if seq > self.last + 1:
                await self._fill(seq - 1)
            if seq > self.last:
                self.offer(seq, subject, msg.data)

    async def _catch_up(self) -> None:
        try:
            info = await self.bus.js.stream_info(STREAM_EVENTS)
        except Exception:  # NATS away: the sockets close themselves with 1012
            return
        if info.state.last_seq > self.last:
            await self._fill(info.state.last_seq)

    async def _fill(self, upto: int) -> None:
        """Offer the stored events after the last one read, up to `upto`. Past a socket's
        buffer of them, fail every socket with 1012 instead: each replays on its own."""
        if upto - self.last > self.buffer:
            log.warning("the event feed missed %s events; sockets resume", upto - self.last)
            self._fail_all(NATS_AWAY, "events were missed; resume with after=")
            self.last = upto
            return
        while self.last < upto:
            seq = self.last + 1
            try:
                stored = await self.bus.js.get_msg(STREAM_EVENTS, seq=seq)
            except NotFoundError:  # aged out or deleted: nothing to offer
                self.last = seq
                continue
            except Exception:
                log.warning("could not read event %s; sockets resume", seq)
                self._fail_all(NATS_AWAY, "events unavailable; resume with after=")
                self.last = upto
                return
            self.offer(seq, stored.subject or "", stored.data or b"")

    def offer(self, seq: int, subject: str, data: bytes) -> None:
        """Hand one stored event to every socket that wants it."""
        self.last = seq
        try:
            event = parse_event(data)
        except ValidationError:
            log.warning("skipping an unparseable event at seq %s", seq)
            return
        metrics.observe(event)
        metrics.FEED_LAG.observe(max(0.0, time.time() - event.at.timestamp()))
        whose = parse_event_subject(subject)
        listeners = self._by_tenant.get(whose.tenant) if whose else None
        if not whose or not listeners:
            return
        project_id, run_id = whose.project, whose.run
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
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
