"""COMPLETE: tick the task's box, land the task as one commit on the target branch (a
pull-request run: on its own branch, then open or update its pull request), push it, then
select the next task (continuous) or finish the run (single)."""

import logging

from devteam_bus.bundles import BundleStore
from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError
from devteam_bus.publish import publish_audit, publish_command
from devteam_contracts.audit import Pushed
from devteam_contracts.commands import CompleteCommand, SelectCommand
from devteam_contracts.event_data import TaskCompletedData
from devteam_contracts.runs import FailureCode, RunMode, RunState, TaskDone
from devteam_contracts.subjects import Stage
from devteam_contracts.usage import Usage
from devteam_git.errors import GitError, MergeConflictError, PushRejectedError
from devteam_git.workspace import Workspace, squash_commit, task_branch
from devteam_runs.run_store import RunStore
from devteam_runs.stages import StageContext
from devteam_runs.transitions import complete_run
from devteam_selector.pull_request import PullRequests
from devteam_tasklist import TaskListError, tick

log = logging.getLogger(__name__)

PUSH_ATTEMPTS = 5


def trailers(run_id: str, task_id: str) -> str:
    """Commit trailers that tie a commit on the target branch to its run and task."""
    return f"Devteam-Run: {run_id}\nDevteam-Task: {task_id}\n"


class CompleteStage:
    """Logic of `complete` commands."""

    def __init__(self, bus: Bus, pulls: PullRequests) -> None:
        self.bus = bus
        self.pulls = pulls

    async def __call__(self, ctx: StageContext[CompleteCommand]) -> None:
        cmd, run = ctx.cmd, ctx.run
        ws = await ctx.workspace()
        branch = cmd.config.branch
        done = next((t for t in run.tasks_done if t.id == cmd.task.id), None)
        recorded = done is not None
        if done is None:
            commit = await self._integrate(ws, cmd)
            attempts = [a for a in run.attempts if a.task_id == cmd.task.id]
            done = TaskDone(
                id=cmd.task.id,
                title=cmd.task.title,
                commit=commit,
                attempts=max(1, len(attempts)),
                usage=sum((a.usage for a in attempts), Usage()),
                checks=[*cmd.config.verify, *cmd.task.verify],
            )
        if cmd.config.land_branch is not None:  # landing as a pull request
            run = await self.pulls.publish(ctx, run, cmd.config, done)
        if not recorded:
            record = done

            def change(r: RunState) -> RunState | None:
                if r.state.terminal or any(t.id == record.id for t in r.tasks_done):
                    return None
                return r.model_copy(update={"tasks_done": [*r.tasks_done, record]})

            run = await RunStore(self.bus).update(cmd.run_id, change) or run
        pull = f" ({run.pull_request.url})" if run.pull_request else ""
        await ctx.publish(
            run, Stage.COMPLETE,
            f"{cmd.task.id} done: {done.commit[:12]} on {branch}{pull}",
            TaskCompletedData(commit=done.commit, branch=branch, pull_request=run.pull_request),
        )  # fmt: skip
        await ws.finish(cmd.run_id, cmd.task.id)
        if run.mode in (RunMode.SINGLE, RunMode.STEP):
            await complete_run(self.bus, cmd.run_id, f"{run.mode.value} run done: {cmd.task.id}")
            return
        await publish_command(
            self.bus,
            Stage.SELECT,
            SelectCommand(
                run_id=cmd.run_id,
                tenant=cmd.tenant,
                project_id=cmd.project_id,
                after_task=cmd.task.id,
                selection=run.selections + 1,
            ),
        )

    async def _integrate(self, ws: Workspace, cmd: CompleteCommand) -> str:
        branch, tasks_file = cmd.config.branch, cmd.config.tasks_file
        try:
            await ws.ensure_task_commit(cmd, cmd.head_sha, cmd.attempt, BundleStore(self.bus).get)
        except GitError as exc:
            raise exc.within(f"cannot get the commits of task {cmd.task.id}") from None
        raw = await ws.read_file(cmd.head_sha, tasks_file)
        if raw is None:
            raise PermanentError(
                f"{tasks_file} disappeared on the task branch", code=FailureCode.INVALID_TASK_LIST
            )
        try:
            ticked = tick(raw.decode("utf-8", "surrogateescape"), cmd.task.id)
        except TaskListError as exc:
            raise PermanentError(
                f"cannot tick {cmd.task.id}: {exc}", code=FailureCode.INVALID_TASK_LIST
            ) from exc
        message = f"{cmd.task.id} {cmd.task.title}\n\n{trailers(cmd.run_id, cmd.task.id)}"
        commit = await squash_commit(
            ws.mirror,
            cmd.base_sha,
            cmd.head_sha,
            message,
            tasks_file,
            ticked.encode("utf-8", "surrogateescape"),
        )
        for _ in range(PUSH_ATTEMPTS):
            try:
                await ws.push(commit, branch)
            except PushRejectedError:
                # The branch moved: maybe an earlier delivery of this command landed the task,
                # else people pushed meanwhile and our change is replayed on top of theirs.
                tip = await ws.sync(branch)
                landed = await ws.find_landed(cmd.base_sha, tip, trailers(cmd.run_id, cmd.task.id))
                if landed:
                    return landed
                try:
                    commit = await ws.replay_onto(commit, tip)
                except MergeConflictError as exc:
                    raise PermanentError(
                        f"{branch} changed while task {cmd.task.id} ran, and the changes "
                        f"conflict with it in {', '.join(exc.paths)}; nothing was forced (the "
                        f"task branch {task_branch(cmd.run_id, cmd.task.id)} is kept)",
                        code=FailureCode.CONFLICT,
                    ) from exc
                continue
            await publish_audit(
                self.bus, cmd.tenant, "service:complete", "repo.push", cmd.project_id,
                "pushed", Pushed(branch=branch, commit=commit, run_id=cmd.run_id,
                                 task_id=cmd.task.id),
            )  # fmt: skip
            return commit
        raise PermanentError(
            f"{branch} kept moving; gave up after {PUSH_ATTEMPTS} pushes",
            code=FailureCode.CONFLICT,
        )
