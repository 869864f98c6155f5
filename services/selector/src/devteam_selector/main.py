"""`devteam-selector`: the SELECT and COMPLETE stages (both own the task list)."""

from collections.abc import Sequence

from devteam_bus.admission import AdmissionKeeper
from devteam_bus.advisories import DeliveryWatch
from devteam_bus.connection import Bus
from devteam_bus.service import Component
from devteam_bus.service import main as service_main
from devteam_bus.settings import BusSettings
from devteam_bus.sweeps import StuckRuns
from devteam_bus.worker import StageWorker
from devteam_contracts.commands import CompleteCommand, SelectCommand
from devteam_contracts.subjects import Stage
from devteam_git.maintenance import Maintenance
from devteam_git.settings import WorkspaceSettings
from devteam_selector.complete_stage import CompleteStage
from devteam_selector.select_stage import SelectStage
from devteam_selector.tasks_rpc import TasksResponder


def workers(bus: Bus, settings: BusSettings) -> Sequence[Component]:
    """SELECT and COMPLETE, the task-list reader behind `GET /v1/projects/{id}/tasks`, the
    admission keeper and the care of its own data directory."""
    own = WorkspaceSettings()
    return [
        Maintenance.of(own),
        AdmissionKeeper(bus),
        DeliveryWatch(bus),
        StuckRuns(bus, after_s=settings.stuck_after_s),
        StageWorker(bus, settings, Stage.SELECT, SelectCommand, SelectStage(bus, own)),
        StageWorker(bus, settings, Stage.COMPLETE, CompleteCommand, CompleteStage(bus, own)),
        TasksResponder(bus, own),
    ]


def main() -> None:
    """Console script entry point."""
    service_main("selector", workers)
