"""`devteam-prep`: the PREP stage."""

import asyncio
from collections.abc import Sequence
from pathlib import Path

from devteam_bus.connection import Bus
from devteam_bus.service import Component
from devteam_bus.service import main as service_main
from devteam_bus.settings import BusSettings
from devteam_bus.worker import StageWorker
from devteam_contracts.commands import PrepCommand
from devteam_contracts.subjects import Stage
from devteam_git.maintenance import sweep
from devteam_git.settings import WorkspaceSettings
from devteam_prep.stage import PrepStage


class Sweep:
    """Repairs what a crash left in the data directory, once at start-up."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep, then return (the service keeps running its other components)."""
        await sweep(self.data_dir)


def workers(bus: Bus, settings: BusSettings) -> Sequence[Component]:
    """The start-up sweep of the data directory, and the prep worker."""
    own = WorkspaceSettings()
    stage = PrepStage(bus, own)
    return [Sweep(own.data_dir), StageWorker(bus, settings, Stage.PREP, PrepCommand, stage)]


def main() -> None:
    """Console script entry point."""
    service_main("prep", workers)
