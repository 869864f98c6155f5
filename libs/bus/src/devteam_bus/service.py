"""Process entry point shared by the stage services: logging, signals, graceful drain."""

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Sequence
from typing import Protocol

from devteam_bus.connection import Bus, connect
from devteam_bus.settings import BusSettings

log = logging.getLogger(__name__)


class Component(Protocol):
    """Something a service runs until told to stop: a `StageWorker`, a request responder."""

    async def run(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set, then return."""


WorkerFactory = Callable[[Bus, BusSettings], Sequence[Component]]


def setup_logging(name: str) -> None:
    """One log format for every service."""
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s {name} %(levelname)s %(name)s: %(message)s"
    )


async def serve(name: str, factory: WorkerFactory, settings: BusSettings | None = None) -> None:
    """Run the workers until SIGTERM/SIGINT, then stop fetching and let current jobs finish.

    A job still running after `shutdown_grace_s` is cancelled; its message is not acked, so
    another replica gets it again.
    """
    settings = settings or BusSettings()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    bus = await connect(settings, name)
    workers = factory(bus, settings)
    tasks = [asyncio.create_task(w.run(stop)) for w in workers]
    await stop.wait()
    log.info("%s: stopping; waiting up to %.0fs for current jobs", name, settings.shutdown_grace_s)
    _done, pending = await asyncio.wait(tasks, timeout=settings.shutdown_grace_s)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await bus.close()
    log.info("%s: stopped", name)


def main(name: str, factory: WorkerFactory) -> None:
    """Console-script body of a stage service."""
    setup_logging(name)
    asyncio.run(serve(name, factory))
