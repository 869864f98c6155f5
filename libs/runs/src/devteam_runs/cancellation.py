"""Cancellation: a run-state change that long-running stages watch while they work."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import TypeVar

from devteam_bus.connection import Bus
from devteam_bus.errors import RunEndedError
from devteam_bus.periodic import every
from devteam_runs.run_store import RunStore

T = TypeVar("T")
log = logging.getLogger(__name__)

POLL_S = 0.5


async def unless_ended(bus: Bus, run_id: str, work: Awaitable[T]) -> T:
    """Await `work`, but cancel it (killing its subprocess group) once the run has ended.

    Raises `RunEndedError` when the run was cancelled (or otherwise ended) meanwhile.
    """
    store = RunStore(bus)
    ended = asyncio.Event()

    async def check() -> None:
        try:
            run = await store.get(run_id)
        except Exception as exc:  # NATS hiccup: keep working, look again next time
            log.debug("cancellation check for %s failed: %s", run_id, exc)
            return
        if run is None or run.state.terminal:
            ended.set()

    job = asyncio.ensure_future(work)
    noticed = asyncio.create_task(ended.wait())
    try:
        async with every(POLL_S, check):
            await asyncio.wait({job, noticed}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        noticed.cancel()
    if job.done():
        return job.result()
    job.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await job
    raise RunEndedError(f"run {run_id} ended while the stage was working")
