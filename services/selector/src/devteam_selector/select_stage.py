"""SELECT: read the task list from the target branch (a pull-request run: from its own branch,
once it has one) and pick the next task."""

import logging

from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError
from devteam_bus.publish import publish_command, publish_event
from devteam_contracts.commands import PrepCommand, SelectCommand, TaskRef
from devteam_contracts.event_data import TaskSelectedData
from devteam_contracts.landing import run_branch
from devteam_contracts.projects import Project
from devteam_contracts.runs import BlockedTask, CurrentTask, FailureCode, RunState, RunStatus
from devteam_contracts.subjects import Stage
from devteam_git.workspace import Workspace
from devteam_runs.run_store import RunStore
from devteam_runs.stages import StageContext
from devteam_runs.transitions import block_run, complete_run
from devteam_selector.pull_request import PullRequests
from devteam_selector.source import ListAtTip, SourceError, read_list
from devteam_tasklist import select
from devteam_tasklist.selection import Selection, select_task

log = logging.getLogger(__name__)

_PROBLEM_CODES = {
    "tasklist": FailureCode.INVALID_TASK_LIST,
    "config": FailureCode.INVALID_CONFIG,
    "repository": FailureCode.GIT_ERROR,
}


async def _read(ws: Workspace, project: Project, branch: str | None) -> ListAtTip:
    try:
        return await read_list(ws, project, branch)
    except SourceError as exc:
        code = _PROBLEM_CODES.get(exc.problem.kind, FailureCode.ERROR)
        raise PermanentError(exc.problem.message, code=code) from exc


class SelectStage:
    """Logic of `select` commands."""

    def __init__(self, bus: Bus, pulls: PullRequests) -> None:
        self.bus = bus
        self.pulls = pulls

    async def __call__(self, ctx: StageContext[SelectCommand]) -> None:
        cmd, run = ctx.cmd, ctx.run
        if run.max_tasks is not None and len(run.tasks_done) >= run.max_tasks:
            await complete_run(self.bus, cmd.run_id, f"max_tasks={run.max_tasks} reached")
            return
        ws = await ctx.workspace()
        source = await _read(ws, ctx.project, run.branch)
        if ctx.project.land.mode == "pull_request" and run.branch is None:
            run = await self.pulls.choose_branch(ctx, source.config.target_branch)
            if run.branch != run_branch(run.id):  # it continues a branch: its list has ticks
                source = await _read(ws, ctx.project, run.branch)
        base, config = source.commit, source.config
        if run.branch is not None:
            config = config.model_copy(update={"land_branch": run.branch})
        if run.task_id is not None:  # step mode, one task asked for by id
            try:
                asked = select_task(source.tasks, run.task_id)
            except ValueError as exc:
                raise PermanentError(str(exc), code=FailureCode.TASK_NOT_SELECTABLE) from exc
            selection = Selection("task", asked, ())
        else:
            selection = select(source.tasks)
        if selection.task is None:
            if selection.status == "blocked":
                await block_run(
                    self.bus,
                    cmd.run_id,
                    [
                        BlockedTask(task_id=b.task_id, line=b.line, reason=b.reason)
                        for b in selection.blocked
                    ],
                )
            else:
                # A resumed run whose branch holds work no pull request shows yet.
                if (
                    run.branch is not None
                    and run.pull_request is None
                    and await ws.sync_present(run.branch) is not None
                ):
                    run = await self.pulls.publish(ctx, run, config, None)
                await complete_run(self.bus, cmd.run_id, "every task in the list is done")
            return
        task = selection.task
        parents = [a.title for a in reversed(source.tasks.ancestors(task.id))]
        ref = TaskRef(id=task.id, title=task.title, body=task.body, verify=list(task.verify),
                      parents=parents)  # fmt: skip
        current = CurrentTask(id=task.id, title=task.title, stage=Stage.PREP, attempt=1)
        budget = config.limits.budget()

        def change(run: RunState) -> RunState | None:
            if run.state.terminal:
                return None
            return run.model_copy(
                update={
                    "state": RunStatus.RUNNING,
                    "current": current,
                    "selections": max(run.selections, cmd.selection),
                    "budget": budget,
                }
            )

        updated = await RunStore(self.bus).update(cmd.run_id, change)
        if updated is None or updated.state.terminal:
            return
        await publish_event(
            self.bus,
            updated,
            TaskSelectedData(title=task.title, base_sha=base, selection=cmd.selection),
            stage=Stage.SELECT,
            task_id=task.id,
            attempt=1,
            message=f"selected {task.id} {task.title}",
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
                config=config,
                attempt=1,
                base_sha=base,
            ),
        )
