"""`devteam-implement`: the IMPLEMENT stage."""

from collections.abc import Sequence

from devteam_bus.connection import Bus
from devteam_bus.service import Component
from devteam_bus.service import main as service_main
from devteam_bus.settings import BusSettings
from devteam_bus.worker import StageWorker
from devteam_contracts.commands import ImplementCommand
from devteam_contracts.subjects import Stage
from devteam_git.settings import WorkspaceSettings
from devteam_implement.settings import ImplementSettings
from devteam_implement.stage import ImplementStage


def workers(bus: Bus, settings: BusSettings) -> Sequence[Component]:
    """One worker: implement."""
    stage = ImplementStage(bus, WorkspaceSettings(), ImplementSettings())
    return [StageWorker(bus, settings, Stage.IMPLEMENT, ImplementCommand, stage)]


def main() -> None:
    """Console script entry point."""
    service_main("implement", workers)
