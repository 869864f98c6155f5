"""Who is on the bus: every service process answers `devteam.status` with its name, version
and load, so `devteam status` can list them without a registry."""

import asyncio
import json
import os
import socket
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from devteam_bus.connection import Bus
from devteam_contracts.subjects import STATUS_SUBJECT


def package_version() -> str:
    try:
        return version("devteam-bus")
    except PackageNotFoundError:  # pragma: no cover - always installed in the workspace
        return "unknown"


class StatusResponder:
    """A component answering `devteam.status` for this process; `load()` says how busy it is."""

    def __init__(self, bus: Bus, service: str, load: Callable[[], dict[str, Any]]) -> None:
        self.bus = bus
        self.service = service
        self._load = load
        self.started = time.time()

    def report(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "process": os.environ.get("DEVTEAM_PROCESS_NAME") or f"{self.service}-{os.getpid()}",
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "version": package_version(),
            "uptime_s": round(time.time() - self.started, 1),
            "load": self._load(),
        }

    async def run(self, stop: asyncio.Event) -> None:
        async def answer(msg: Any) -> None:
            if msg.reply:
                await self.bus.nc.publish(msg.reply, json.dumps(self.report()).encode())

        sub = await self.bus.nc.subscribe(STATUS_SUBJECT, cb=answer)
        try:
            await stop.wait()
        finally:
            await sub.unsubscribe()


async def survey(bus: Bus, wait_s: float = 1.0) -> list[dict[str, Any]]:
    """Every answer to `devteam.status` within `wait_s`, sorted by process name."""
    inbox = bus.nc.new_inbox()
    answers: list[dict[str, Any]] = []

    async def collect(msg: Any) -> None:
        answers.append(json.loads(msg.data))

    sub = await bus.nc.subscribe(inbox, cb=collect)
    await bus.nc.publish(STATUS_SUBJECT, b"", reply=inbox)
    await asyncio.sleep(wait_s)
    await sub.unsubscribe()
    return sorted(answers, key=lambda a: str(a.get("process")))
