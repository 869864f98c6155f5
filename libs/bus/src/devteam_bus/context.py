"""What a stage handler needs first: the run (to skip work on a finished run) and its project."""

import logging
from dataclasses import dataclass

from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError
from devteam_bus.lifecycle import STAGE_ORDER
from devteam_bus.runstore import RunStore
from devteam_bus.stores import ProjectStore
from devteam_contracts.commands import CommandBase, TaskCommand
from devteam_contracts.projects import Project
from devteam_contracts.runs import RunState
from devteam_contracts.subjects import Stage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """The run and project a command refers to."""

    run: RunState
    project: Project


def is_stale(run: RunState, cmd: TaskCommand, stage: Stage) -> bool:
    """True when the run has moved past this command (a late redelivery): another task, a
    later repair attempt, or more than one stage further.

    One stage further is not stale: a handler records the next stage before it publishes the
    next command, so a crash in between must be able to run the stage again.
    """
    current = run.current
    if current is None or current.id != cmd.task.id:
        return True
    if current.attempt != cmd.attempt:
        return current.attempt > cmd.attempt
    return STAGE_ORDER.get(current.stage, 0) > STAGE_ORDER[stage] + 1


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
