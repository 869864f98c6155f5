"""Background work that runs every few seconds while something else runs.

It is stopped with an event, never by cancelling it: nats-py swallows `CancelledError` inside
publish and request calls, so a cancelled task caught in one of them goes on running, and
whoever awaits it waits forever (a handler that never returns holds its message for good).
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def every(interval_s: float, action: Callable[[], Awaitable[None]]) -> AsyncIterator[None]:
    """Run `action` every `interval_s` while the body runs; on exit, let a running `action`
    finish (NATS calls have their own timeouts), then stop. An exception of `action` ends
    the loop and is raised on exit."""
    stop = asyncio.Event()

    async def loop() -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)
            if stop.is_set():
                return
            await action()

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        stop.set()
        await task


async def repeat(
    stop: asyncio.Event, interval_s: float, action: Callable[[], Awaitable[object]], what: str
) -> None:
    """`action` now and then every `interval_s` until `stop` is set; a failed round is logged
    and the next one tries again (for a component's own housekeeping loop)."""
    while not stop.is_set():
        try:
            await action()
        except Exception as exc:
            log.warning("%s failed: %s", what, exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
