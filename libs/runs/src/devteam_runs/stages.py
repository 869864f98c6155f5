"""What the run domain gives a stage: `stage_worker` builds the bus's worker for it, and that
worker hands the stage's logic a `StageContext` (the command's run and project, loaded and
checked; the tenant's secrets; the project's workspace; the run's event publisher), holding
the project tree's lock when the stage changes the tree. The stage module keeps only its
pass/fail logic; failing the command's run is `CommandFailer`'s."""

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError
from devteam_bus.publish import publish_task_event
from devteam_bus.settings import BusSettings
from devteam_bus.worker import StageWorker
from devteam_contracts.commands import CommandBase, TaskCommand
from devteam_contracts.event_data import EventData
from devteam_contracts.failures import StageFailure
from devteam_contracts.projects import Project
from devteam_contracts.runs import RunState
from devteam_contracts.subjects import Stage
from devteam_git.settings import WorkspaceSettings
from devteam_git.workspace import Workspace
from devteam_runs.run_store import RunStore
from devteam_runs.transitions import fail_run, is_stale
from devteam_tenants.projects import ProjectStore
from devteam_tenants.secrets import Secrets
from devteam_tenants.settings import SecretsSettings

log = logging.getLogger(__name__)

C = TypeVar("C", bound=CommandBase)


@dataclass(frozen=True)
class Loaded:
    """The run and project a command refers to."""

    run: RunState
    project: Project


async def load_active(bus: Bus, cmd: CommandBase, stage: Stage | None = None) -> Loaded | None:
    """The command's run and project, or None when there is nothing to do (skip + ack): the
    run is already terminal, or (for a task command of `stage`) the run has moved past it.

    A command for an unknown run or project can never succeed: `PermanentError`.
    """
    run = await RunStore(bus).get(cmd.run_id)
    if run is None:
        raise PermanentError(f"run {cmd.run_id} does not exist")
    if run.tenant != cmd.tenant or run.project_id != cmd.project_id:
        raise PermanentError("command does not match the run's tenant/project")
    if run.state.terminal:
        return None
    if stage is not None and isinstance(cmd, TaskCommand) and is_stale(run, cmd, stage):
        log.info("skipping a stale %s command for task %s of %s", stage, cmd.task.id, run.id)
        return None
    project = await ProjectStore(bus).get(cmd.tenant, cmd.project_id)
    if project is None:
        raise PermanentError(f"project {cmd.project_id} does not exist")
    return Loaded(run=run, project=project)


class CommandFailer:
    """Fails a command's run for the stage worker (`FailRun`), except when the command is a
    late duplicate of a run that moved on: that never fails the run."""

    def __init__(self, bus: Bus, stage: Stage) -> None:
        self.bus = bus
        self.stage = stage

    async def __call__(
        self, run_id: str, cmd: CommandBase | None, stage: Stage, error: StageFailure
    ) -> None:
        def stale(run: RunState) -> bool:
            return isinstance(cmd, TaskCommand) and is_stale(run, cmd, self.stage)

        await fail_run(
            self.bus,
            run_id,
            stage,
            error.reason,
            code=error.code,
            task_id=cmd.task.id if isinstance(cmd, TaskCommand) else None,
            output_tail=error.output_tail,
            unless=stale,
        )


@dataclass
class StageContext(Generic[C]):
    """What a stage's logic is handed for one command."""

    bus: Bus
    cmd: C
    run: RunState  # as loaded before the stage began (live, and not past this command)
    project: Project
    # This tenant's secrets, resolved at the moment of use; every value resolved is in
    # `secrets.resolved`, to be redacted from every output.
    secrets: Secrets
    workspaces: WorkspaceSettings
    _workspace: Workspace | None = field(default=None, repr=False)

    async def workspace(self) -> Workspace:
        """The project's workspace (its mirror and trees), opened on first use."""
        if self._workspace is None:
            self._workspace = await Workspace.open(
                self.workspaces, self.project, self.secrets.lookup
            )
        return self._workspace

    async def publish(self, run: RunState, stage: Stage, message: str, data: EventData) -> None:
        """Publish a task event of this command (`publish_task_event`)."""
        if not isinstance(self.cmd, TaskCommand):
            raise TypeError(f"{type(self.cmd).__name__} is not a task command")
        await publish_task_event(self.bus, run, self.cmd, stage, message, data)


# A stage's own logic: pass, or raise: the error's class says whether its command is retried
# (`devteam_contracts.failures`).
StageLogic = Callable[[StageContext[C]], Awaitable[None]]


class StageRunner(Generic[C]):
    """The handler the bus's worker calls: builds the context, then runs the stage's logic."""

    def __init__(
        self,
        bus: Bus,
        stage: Stage,
        logic: StageLogic[C],
        workspaces: WorkspaceSettings,
        secrets: SecretsSettings,
        tree_lock: bool,
    ) -> None:
        self.bus = bus
        self.stage = stage
        self.logic = logic
        self.workspaces = workspaces
        self.secrets = secrets
        self.tree_lock = tree_lock

    async def __call__(self, cmd: C) -> None:
        lock = (
            Workspace.tree_lock(self.workspaces.data_dir, cmd.tenant, cmd.project_id)
            if self.tree_lock
            else contextlib.nullcontext()
        )
        async with lock:
            loaded = await load_active(self.bus, cmd, self.stage)
            if loaded is None:
                return
            secrets = Secrets(self.bus, cmd.tenant, self.secrets)
            ctx = StageContext(self.bus, cmd, loaded.run, loaded.project, secrets, self.workspaces)
            await self.logic(ctx)


def stage_worker(
    bus: Bus,
    settings: BusSettings,
    stage: Stage,
    model: type[C],
    logic: StageLogic[C],
    *,
    workspaces: WorkspaceSettings,
    secrets: SecretsSettings,
    tree_lock: bool = False,
    concurrency: int | None = None,
) -> StageWorker[C]:
    """The bus's stage worker for `stage`: it settles each message, the run domain loads its
    run and project and fails its run, `logic` decides. `tree_lock`: the stage changes the
    project's tree (one command of a project at a time in this process)."""
    runner = StageRunner(bus, stage, logic, workspaces, secrets, tree_lock)
    return StageWorker(bus, settings, stage, model, runner, CommandFailer(bus, stage), concurrency)
