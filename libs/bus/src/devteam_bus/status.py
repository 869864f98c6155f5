"""Who is on the bus: every service process answers `devteam.status` with its name, version
and load, so `devteam status` can list them without a registry."""

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from pydantic import ValidationError

from devteam_bus.connection import Bus
from devteam_contracts.status import ProcessLoad, StatusReport
from devteam_contracts.subjects import STATUS_SUBJECT

log = logging.getLogger(__name__)


def package_version() -> str:
    try:
        return version("devteam-bus")
    except PackageNotFoundError:  # pragma: no cover - always installed in the workspace
        return "unknown"


class StatusResponder:
    """A component answering `devteam.status` for this process; `load()` says how busy it is."""

    def __init__(
        self,
        bus: Bus,
        service: str,
        load: Callable[[], ProcessLoad],
        process: str | None = None,
    ) -> None:
        self.bus = bus
        self.service = service
        self.process = process or f"{service}-{os.getpid()}"
        self._load = load
        self.started = time.time()

    def report(self) -> StatusReport:
        return StatusReport(
            service=self.service,
            process=self.process,
            host=socket.gethostname(),
            pid=os.getpid(),
            version=package_version(),
            uptime_s=round(time.time() - self.started, 1),
            load=self._load(),
        )

    async def run(self, stop: asyncio.Event) -> None:
        async def answer(msg: Any) -> None:
            if msg.reply:
                report = self.report().model_dump_json(exclude_none=True)
                await self.bus.nc.publish(msg.reply, report.encode())

        sub = await self.bus.nc.subscribe(STATUS_SUBJECT, cb=answer)
        try:
            await stop.wait()
        finally:
            await sub.unsubscribe()


async def survey(bus: Bus, wait_s: float = 1.0) -> list[StatusReport]:
    """Every answer to `devteam.status` within `wait_s`, sorted by process name (an answer
    that is not a `StatusReport` is logged and left out)."""
    inbox = bus.nc.new_inbox()
    answers: list[StatusReport] = []

    async def collect(msg: Any) -> None:
        try:
            answers.append(StatusReport.model_validate_json(msg.data))
        except ValidationError as exc:
            log.warning("a status answer that is not one: %s", exc)

    sub = await bus.nc.subscribe(inbox, cb=collect)
    await bus.nc.publish(STATUS_SUBJECT, b"", reply=inbox)
    await asyncio.sleep(wait_s)
    await sub.unsubscribe()
    return sorted(answers, key=lambda a: a.process)
