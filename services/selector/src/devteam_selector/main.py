"""`devteam-selector`: the SELECT and COMPLETE stages (both own the task list), and the control
plane of the run domain (admission, the delivery watch, the stuck-run sweep)."""

from collections.abc import Sequence

from devteam_bus.connection import Bus
from devteam_bus.service import Component
from devteam_bus.service import main as service_main
from devteam_bus.settings import BusSettings
from devteam_contracts.commands import CompleteCommand, SelectCommand
from devteam_contracts.subjects import Stage
from devteam_forge import ForgeSettings
from devteam_git.maintenance import Maintenance
from devteam_git.settings import WorkspaceSettings
from devteam_runs import RunSettings, control_plane, stage_worker
from devteam_selector.complete_stage import CompleteStage
from devteam_selector.pull_request import PullRequests
from devteam_selector.select_stage import SelectStage
from devteam_selector.tasks_rpc import TasksResponder
from devteam_tenants.settings import SecretsSettings


def workers(bus: Bus, settings: BusSettings) -> Sequence[Component]:
    """SELECT and COMPLETE, the task-list reader behind `GET /v1/projects/{id}/tasks`, the run
    domain's control-plane loops and the care of its own data directory."""
    workspaces, secrets = WorkspaceSettings(), SecretsSettings()
    pulls = PullRequests(bus, ForgeSettings(), workspaces.schemes)
    select = stage_worker(bus, settings, Stage.SELECT, SelectCommand, SelectStage(bus, pulls),
                          workspaces=workspaces, secrets=secrets)  # fmt: skip
    complete = stage_worker(bus, settings, Stage.COMPLETE, CompleteCommand,
                            CompleteStage(bus, pulls), workspaces=workspaces,
                            secrets=secrets)  # fmt: skip
    return [
        Maintenance.of(workspaces),
        *control_plane(bus, RunSettings()),
        select,
        complete,
        TasksResponder(bus, workspaces, secrets, pulls),
    ]


def main() -> None:
    """Console script entry point."""
    service_main("selector", workers)
