"""What a stage handler needs first: the run (to skip work on a finished run) and its project."""

from dataclasses import dataclass

from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError
from devteam_bus.runstore import RunStore
from devteam_bus.stores import ProjectStore
from devteam_contracts.commands import CommandBase
from devteam_contracts.projects import Project
from devteam_contracts.runs import RunState


@dataclass(frozen=True)
class Loaded:
    """The run and project a command refers to."""

    run: RunState
    project: Project


async def load_active(bus: Bus, cmd: CommandBase) -> Loaded | None:
    """The command's run and project, or None when the run is already terminal (skip + ack).

    A command for an unknown run or project can never succeed: `PermanentError`.
    """
    run = await RunStore(bus).get(cmd.run_id)
    if run is None:
        raise PermanentError(f"run {cmd.run_id} does not exist")
    if run.tenant != cmd.tenant or run.project_id != cmd.project_id:
        raise PermanentError("command does not match the run's tenant/project")
    if run.state.terminal:
        return None
    project = await ProjectStore(bus).get(cmd.tenant, cmd.project_id)
    if project is None:
        raise PermanentError(f"project {cmd.project_id} does not exist")
    return Loaded(run=run, project=project)
