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
from devteam_sandbox.environments import max_bytes
from devteam_sandbox.filesystem import etc_entries
from devteam_sandbox.identity import user_for
from devteam_sandbox.limits import operator_limits
from devteam_sandbox.sandbox import backend
from devteam_tenants.settings import SecretsSettings
from devteam_verify.stage import VerifyStage


def workers(bus: Bus, settings: BusSettings) -> Sequence[Component]:
    """The care of its own data directory, and the verify worker."""
    workspaces, secrets = WorkspaceSettings(), SecretsSettings()
    operator_limits()  # a malformed DEVTEAM_VERIFY_* limit stops the service at start
    backend()  # and so does an unknown DEVTEAM_SANDBOX,
    user_for("-")  # a DEVTEAM_SANDBOX_UID_BASE out of range
    etc_entries()  # or a DEVTEAM_SANDBOX_ETC entry outside /etc
    max_bytes()  # or a malformed DEVTEAM_ENVIRONMENTS_MAX_MB
    stage = VerifyStage(bus, workspaces)
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
