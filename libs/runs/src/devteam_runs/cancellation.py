"""Cancellation: a run-state change that long-running stages watch while they work.

The run's entry in the runs bucket is watched (a key-value watch: NATS pushes every change as
it is written), so a cancel reaches the work at once, and nothing is polled while it runs.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import TypeVar

from nats.js.kv import KeyValue

from devteam_bus.connection import Bus
from devteam_bus.errors import RunEndedError
from devteam_bus.kv import value_of
from devteam_contracts.runs import RunState
from devteam_contracts.subjects import BUCKET_RUNS

T = TypeVar("T")
log = logging.getLogger(__name__)

REWATCH_S = 1.0  # after the watch broke (NATS away): watch again this much later


async def unless_ended(bus: Bus, run_id: str, work: Awaitable[T]) -> T:
    """Await `work`, but cancel it (killing its subprocess group) once the run has ended.

    Raises `RunEndedError` when the run was cancelled (or otherwise ended) meanwhile.
    """
    job = asyncio.ensure_future(work)
    ended = asyncio.create_task(_until_ended(bus, run_id))
    try:
        await asyncio.wait({job, ended}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        # Not awaited: nats-py may swallow a cancellation inside one of its calls (see
        # devteam_bus.periodic), and the work's result must not wait on the watch.
        ended.cancel()
    if job.done():
        return job.result()
    job.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await job
    raise RunEndedError(f"run {run_id} ended while the stage was working")


async def _until_ended(bus: Bus, run_id: str) -> None:
    """Return once the run is terminal or gone; a broken watch (NATS away) is started again,
    so the work goes on meanwhile."""
    while True:
        try:
            kv = await bus.js.key_value(BUCKET_RUNS)
            if await _watch(kv, run_id):
                return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.debug("watching run %s failed (%s); watching again", run_id, exc)
        await asyncio.sleep(REWATCH_S)


async def _watch(kv: KeyValue, run_id: str) -> bool:
    """Watch the run's entry (its current value first, then every change): True once it is
    terminal or gone, False when the watch stopped without saying so."""
    watcher = await kv.watch(run_id)
    seen = False
    try:
        async for entry in watcher:
            if entry is None:  # the current value has been delivered, or there is none
                # (nats-py may say so before it hands the current value over: ask directly)
                if not seen and _gone_or_ended(await value_of(kv, run_id)):
                    return True
                continue
            seen = True
            if _gone_or_ended(entry.value):
                return True
        return False
    finally:
        with contextlib.suppress(Exception):
            await watcher.stop()  # type: ignore[no-untyped-call]


def _gone_or_ended(value: bytes | None) -> bool:
    """The run's entry says it is gone (deleted, purged, never there) or has ended."""
    return not value or RunState.model_validate_json(value).state.terminal
