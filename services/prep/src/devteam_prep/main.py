"""`devteam-prep`: the PREP stage."""

from collections.abc import Sequence

from devteam_bus.connection import Bus
from devteam_bus.service import Component
from devteam_bus.service import main as service_main
from devteam_bus.settings import BusSettings
from devteam_contracts.commands import PrepCommand
from devteam_contracts.subjects import Stage
from devteam_git.maintenance import Maintenance
from devteam_git.settings import WorkspaceSettings
from devteam_prep.stage import PrepStage
from devteam_runs.stages import stage_worker
from devteam_tenants.settings import SecretsSettings


def workers(bus: Bus, settings: BusSettings) -> Sequence[Component]:
    """The care of its own data directory, and the prep worker."""
    workspaces, secrets = WorkspaceSettings(), SecretsSettings()
    return [
        Maintenance.of(workspaces),
        stage_worker(
            bus,
            settings,
            Stage.PREP,
            PrepCommand,
            PrepStage(bus),
            workspaces=workspaces,
            secrets=secrets,
            tree_lock=True,
        ),
    ]


def main() -> None:
    """Console script entry point."""
    service_main("prep", workers)
