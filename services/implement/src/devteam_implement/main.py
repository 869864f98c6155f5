"""`devteam-implement`: the IMPLEMENT stage, with its Aider host."""

import asyncio
from collections.abc import Sequence

from devteam_aider import AiderHost
from devteam_bus.connection import Bus
from devteam_bus.service import Component
from devteam_bus.service import main as service_main
from devteam_bus.settings import BusSettings
from devteam_bus.worker import StageWorker
from devteam_contracts.commands import ImplementCommand
from devteam_contracts.status import ProcessLoad
from devteam_contracts.subjects import Stage
from devteam_git.maintenance import Maintenance
from devteam_git.settings import WorkspaceSettings
from devteam_implement.settings import ImplementSettings
from devteam_implement.stage import ImplementStage
from devteam_runs.stages import stage_worker
from devteam_sandbox.settings import WorkSettings
from devteam_tenants.settings import SecretsSettings


class HostedWorker:
    """The stage worker plus the Aider host it runs attempts on: the host starts with the
    worker and stops only after the worker has drained, so no attempt loses its host."""

    def __init__(self, worker: StageWorker[ImplementCommand], host: AiderHost | None) -> None:
        self.worker = worker
        self.host = host

    def load(self) -> ProcessLoad:
        """The worker's load, and whether Aider's host is up."""
        host = "up" if self.host is not None and self.host.pid else "cli"
        return self.worker.load().model_copy(update={"aider_host": host})

    async def run(self, stop: asyncio.Event) -> None:
        """Start the host in the background, work until `stop`, then stop the host."""
        if self.host is not None:
            self.host.start()
        try:
            await self.worker.run(stop)
        finally:
            if self.host is not None:
                await self.host.close()


def workers(bus: Bus, settings: BusSettings) -> Sequence[Component]:
    """The care of its own data directory, and the implement worker with its Aider host
    (unless `DEVTEAM_AIDER_HOST=false`)."""
    workspaces, aider, secrets = WorkspaceSettings(), ImplementSettings(), SecretsSettings()
    work = WorkSettings()  # the priority Aider runs at (a malformed one stops us here)
    host = None
    if aider.aider_host:
        home = workspaces.data_dir.resolve() / "aider" / "host-home"
        host = AiderHost(aider.aider_python.absolute(), home, nice=work.work_nice)
    stage = ImplementStage(bus, workspaces, aider, work, host)
    worker = stage_worker(bus, settings, Stage.IMPLEMENT, ImplementCommand, stage,
                          workspaces=workspaces, secrets=secrets, tree_lock=True)  # fmt: skip
    return [Maintenance.of(workspaces), HostedWorker(worker, host)]


def main() -> None:
    """Console script entry point."""
    service_main("implement", workers)
