"""Process entry point shared by the stage services: logging, signals, graceful drain."""

import asyncio
import logging
import signal
import sys
from asyncio import FIRST_COMPLETED
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from devteam_bus.connection import Bus, connect
from devteam_bus.settings import BusSettings
from devteam_bus.status import StatusResponder
from devteam_contracts.status import ProcessLoad

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


async def serve(name: str, factory: WorkerFactory, settings: BusSettings | None = None) -> int:
    """Run the components until SIGTERM/SIGINT, then stop fetching and let current jobs finish;
    returns the process exit code (1 when a component failed).

    A job still running after `shutdown_grace_s` is cancelled; its message is not acked, so
    another replica gets it again.
    """
    try:
        settings = settings or BusSettings()
    except ValueError as exc:  # pydantic's ValidationError: says which variable and why
        log.error("%s: %s; not starting", name, exc)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    bus = await connect(settings, name)
    try:
        # the components build their own concerns' settings here, once
        components = list(factory(bus, settings))
    except ValueError as exc:
        log.error("%s: %s; not starting", name, exc)
        await bus.close()
        return 2

    def load() -> ProcessLoad:  # what the stage workers hold (components with `load()`)
        report = ProcessLoad()
        for component in components:
            if callable(getattr(component, "load", None)):
                part: ProcessLoad = component.load()  # type: ignore[attr-defined]
                # (the parts' own values: a dump would turn a StageLoad into a plain dict)
                report = report.model_copy(update={k: v for k, v in part if v is not None})
        return report

    components.append(StatusResponder(bus, name, load, settings.process_name))
    tasks = [asyncio.create_task(c.run(stop)) for c in components]
    stopping: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
    pending: set[asyncio.Future[Any]] = set(tasks)
    failed = False
    while not stop.is_set() and pending:
        done, pending = await asyncio.wait(pending | {stopping}, return_when=FIRST_COMPLETED)
        pending.discard(stopping)
        for task in done - {stopping}:
            if not task.cancelled() and task.exception() is not None:
                # A component died: stop the whole process, so the supervisor restarts it
                # rather than leaving a service up that consumes nothing.
                log.error("%s: a component failed", name, exc_info=task.exception())
                failed = True
                stop.set()
    log.info("%s: stopping; waiting up to %.0fs for current jobs", name, settings.shutdown_grace_s)
    _done, late = await asyncio.wait(tasks, timeout=settings.shutdown_grace_s)
    for task in late:
        task.cancel()
    if late:
        # Bounded: nats-py swallows cancellation inside its calls (see periodic.py), so a
        # cancelled job may not end; its message is not acked and comes back anyway.
        await asyncio.wait(late, timeout=5)
    stopping.cancel()
    await bus.close()
    log.info("%s: stopped", name)
    return 1 if failed else 0


def main(name: str, factory: WorkerFactory) -> None:
    """Console-script body of a stage service."""
    setup_logging(name)
    sys.exit(asyncio.run(serve(name, factory)))
