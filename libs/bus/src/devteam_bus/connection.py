"""Connecting to NATS with retry, and the handle every component shares."""

import asyncio
import logging
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext

from devteam_bus.settings import BusSettings

log = logging.getLogger(__name__)


@dataclass
class Bus:
    """A connected NATS client and its JetStream context."""

    nc: Client
    js: JetStreamContext

    async def close(self) -> None:
        """Drain subscriptions and close the connection."""
        if not self.nc.is_closed:
            await self.nc.drain()


async def connect(settings: BusSettings, name: str) -> Bus:
    """Connect to `settings.nats_url`, retrying until `connect_timeout_s` has passed.

    Services may start before NATS is ready (compose, supervisors), so the first connection
    is retried with a short back-off; after that nats-py reconnects on its own.
    """
    deadline = asyncio.get_running_loop().time() + settings.connect_timeout_s
    delay = 0.1
    while True:
        try:
            nc = await nats.connect(
                settings.nats_url,
                name=name,
                connect_timeout=2,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                allow_reconnect=True,
            )
            return Bus(nc=nc, js=nc.jetstream())
        except (OSError, TimeoutError, nats.errors.NoServersError) as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise
            log.info("NATS not reachable yet (%s); retrying in %.1fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
