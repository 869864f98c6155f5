"""SELECT: read the task list from the target branch and pick the next task."""

import logging

from devteam_bus.connection import Bus
from devteam_bus.context import load_active
from devteam_bus.errors import PermanentError
from devteam_bus.lifecycle import complete_run
from devteam_bus.publish import publish_command, publish_event
from devteam_bus.runstore import RunStore
from devteam_contracts.commands import PrepCommand, SelectCommand, TaskRef
from devteam_contracts.events import EventType
from devteam_contracts.runs import CurrentTask, RunState, RunStatus
from devteam_contracts.subjects import Stage
from devteam_git.errors import GitError
from devteam_git.urls import normalize_repo_url
from devteam_git.workspace import Workspace
from devteam_selector.settings import SelectorSettings
from devteam_tasklist import TaskListError, parse, select

log = logging.getLogger(__name__)


class SelectStage:
    """Handler of `select` commands."""

    def __init__(self, bus: Bus, settings: SelectorSettings) -> None:
        self.bus = bus
        self.settings = settings

    async def __call__(self, cmd: SelectCommand) -> None:
        loaded = await load_active(self.bus, cmd)
        if loaded is None:
            return
        project = loaded.project
        ws = Workspace(self.settings.data_dir, cmd.tenant, cmd.project_id)
        try:
            base = await ws.sync(normalize_repo_url(project.repo_url), project.target_branch)
        except GitError as exc:
            raise PermanentError(f"cannot read {project.target_branch}: {exc}") from exc
        raw = await ws.read_file(base, project.tasks_file)
        if raw is None:
            raise PermanentError(
                f"{project.tasks_file} not found on branch {project.target_branch}"
            )
        try:
            tasks = parse(raw.decode("utf-8", "surrogateescape"))
        except TaskListError as exc:
            raise PermanentError(f"{project.tasks_file}: {exc}") from exc
        selection = select(tasks)
        if selection.task is None:
            if selection.blocked:
                waits = "; ".join(f"{b.task_id}: {b.reason}" for b in selection.blocked)
                raise PermanentError(f"no task is selectable; open tasks wait: {waits}")
            await complete_run(self.bus, cmd.run_id, "every task in the list is done")
            return
        task = selection.task
        ref = TaskRef(id=task.id, title=task.title, body=task.body, verify=list(task.verify))
        current = CurrentTask(id=task.id, title=task.title, stage=Stage.PREP, attempt=1)

        def change(run: RunState) -> RunState | None:
            if run.state.terminal:
                return None
            return run.model_copy(
                update={
                    "state": RunStatus.RUNNING,
                    "current": current,
                    "selections": max(run.selections, cmd.selection),
                }
            )

        run = await RunStore(self.bus).update(cmd.run_id, change)
        if run is None or run.state.terminal:
            return
        await publish_event(
            self.bus,
            run,
            EventType.TASK_SELECTED,
            stage=Stage.SELECT,
            task_id=task.id,
            attempt=1,
            message=f"selected {task.id} {task.title}",
            data={"title": task.title, "base_sha": base, "selection": cmd.selection},
            dedup_id=f"select-{cmd.selection}",
        )
        await publish_command(
            self.bus,
            Stage.PREP,
            PrepCommand(
                run_id=cmd.run_id,
                tenant=cmd.tenant,
                project_id=cmd.project_id,
                task=ref,
                attempt=1,
                base_sha=base,
            ),
        )
