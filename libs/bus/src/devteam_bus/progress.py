"""Keep a long job's message alive: `in_progress()` at ~2/3 of AckWait."""

import contextlib
import logging
from collections.abc import AsyncIterator

from nats.aio.msg import Msg

from devteam_bus.periodic import every

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def keep_alive(msg: Msg, ack_wait_s: float) -> AsyncIterator[None]:
    """While the body runs, tell JetStream the message is still being worked on."""

    async def beat() -> None:
        try:
            await msg.in_progress()
        except Exception as exc:  # a lost heartbeat means at worst a redelivery
            log.warning("in_progress() failed: %s", exc)

    async with every(ack_wait_s * 2 / 3, beat):
        yield
