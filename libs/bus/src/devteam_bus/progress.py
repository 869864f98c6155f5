"""Keep a long job's message alive: `in_progress()` at ~2/3 of AckWait."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from nats.aio.msg import Msg

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def keep_alive(msg: Msg, ack_wait_s: float) -> AsyncIterator[None]:
    """While the body runs, tell JetStream the message is still being worked on."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(ack_wait_s * 2 / 3)
            try:
                await msg.in_progress()
            except Exception as exc:  # a lost heartbeat means at worst a redelivery
                log.warning("in_progress() failed: %s", exc)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
