"""`devteam-verify`: the VERIFY stage."""

from collections.abc import Sequence

from devteam_bus.connection import Bus
from devteam_bus.service import Component
from devteam_bus.service import main as service_main
from devteam_bus.settings import BusSettings
from devteam_contracts.commands import VerifyCommand
from devteam_contracts.subjects import Stage
from devteam_git.maintenance import Maintenance
from devteam_git.settings import WorkspaceSettings
from devteam_runs.stages import stage_worker
from devteam_sandbox.settings import SandboxSettings
from devteam_tenants.settings import SecretsSettings
from devteam_verify.stage import VerifyStage


def workers(bus: Bus, settings: BusSettings) -> Sequence[Component]:
    """The care of its own data directory, and the verify worker."""
    workspaces, secrets = WorkspaceSettings(), SecretsSettings()
    # a malformed DEVTEAM_VERIFY_* limit, DEVTEAM_SANDBOX*, DEVTEAM_WORK_NICE or
    # DEVTEAM_ENVIRONMENTS_MAX_MB stops the service here, at start
    sandbox = SandboxSettings()
    stage = VerifyStage(bus, workspaces, sandbox)
    return [
        Maintenance.of(workspaces),
        stage_worker(
            bus,
            settings,
            Stage.VERIFY,
            VerifyCommand,
            stage,
            workspaces=workspaces,
            secrets=secrets,
            tree_lock=True,
        ),
    ]


def main() -> None:
    """Console script entry point."""
    service_main("verify", workers)
