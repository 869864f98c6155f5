"""Throttled log events: lines are batched so a chatty command cannot flood the events stream.

At most one `log` event per `FLUSH_INTERVAL_S` per stream (a run has one stream at a time),
each of at most `MAX_BATCH_LINES` lines: lines beyond that are counted and dropped, and the
next event says how many.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from devteam_bus.connection import Bus
from devteam_bus.periodic import every
from devteam_bus.publish import publish_event
from devteam_contracts.event_data import LogData
from devteam_contracts.runs import RunState
from devteam_contracts.subjects import Stage

FLUSH_INTERVAL_S = 0.2
MAX_BATCH_LINES = 200
MAX_LINE_CHARS = 2000


class LogStream:
    """Collects output lines and publishes them as `log` events every `FLUSH_INTERVAL_S`."""

    def __init__(
        self,
        bus: Bus,
        run: RunState,
        stage: Stage,
        task_id: str,
        attempt: int,
        redact: Callable[[str], str],
    ) -> None:
        self._bus = bus
        self._run = run
        self._stage = stage
        self._task_id = task_id
        self._attempt = attempt
        self._redact = redact
        self._lines: list[str] = []
        self._lock = asyncio.Lock()
        self._flushed = 0.0
        self.dropped = 0
        self._pending_drops = 0

    async def line(self, text: str) -> None:
        """Queue one line (redacted, truncated); a full batch is flushed at once unless the
        last event was less than `FLUSH_INTERVAL_S` ago, when the line is dropped (counted)."""
        if len(self._lines) >= MAX_BATCH_LINES:
            if time.monotonic() - self._flushed < FLUSH_INTERVAL_S:
                self.dropped += 1
                self._pending_drops += 1
                return
            await self.flush()
        self._lines.append(self._redact(text[:MAX_LINE_CHARS]))

    async def flush(self) -> None:
        """Publish what is queued as one `log` event."""
        async with self._lock:
            if self._pending_drops:
                self._lines.append(
                    f"[devteam] {self._pending_drops} line(s) dropped: log rate limit"
                )
                self._pending_drops = 0
            if not self._lines:
                return
            lines, self._lines = self._lines, []
            self._flushed = time.monotonic()
            await publish_event(
                self._bus,
                self._run,
                LogData(lines=lines),
                stage=self._stage,
                task_id=self._task_id,
                attempt=self._attempt,
                message=lines[-1],
            )


@contextlib.asynccontextmanager
async def log_stream(
    bus: Bus,
    run: RunState,
    stage: Stage,
    task_id: str,
    attempt: int,
    redact: Callable[[str], str],
) -> AsyncIterator[LogStream]:
    """A `LogStream` flushed periodically while the body runs and once more at the end."""
    stream = LogStream(bus, run, stage, task_id, attempt, redact)
    try:
        async with every(FLUSH_INTERVAL_S, stream.flush):
            yield stream
    finally:
        await stream.flush()
