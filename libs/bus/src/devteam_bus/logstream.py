"""Throttled log events: lines are batched so a chatty command cannot flood the events stream."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from devteam_bus.connection import Bus
from devteam_bus.periodic import every
from devteam_bus.publish import publish_event
from devteam_contracts.events import EventType
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

    async def line(self, text: str) -> None:
        """Queue one line (redacted, truncated); flush at once when the batch is full."""
        self._lines.append(self._redact(text[:MAX_LINE_CHARS]))
        if len(self._lines) >= MAX_BATCH_LINES:
            await self.flush()

    async def flush(self) -> None:
        """Publish what is queued as one `log` event."""
        async with self._lock:
            if not self._lines:
                return
            lines, self._lines = self._lines, []
            await publish_event(
                self._bus,
                self._run,
                EventType.LOG,
                stage=self._stage,
                task_id=self._task_id,
                attempt=self._attempt,
                message=lines[-1],
                data={"lines": lines},
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
