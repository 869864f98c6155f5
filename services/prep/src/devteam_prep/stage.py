"""PREP: the project's tree, clean, on the task branch `devteam/<run>/<task>` at the base."""

import time

from devteam_bus.connection import Bus
from devteam_contracts.commands import ImplementCommand, PrepCommand
from devteam_contracts.event_data import TaskPreparedData
from devteam_contracts.subjects import Stage
from devteam_git.errors import GitError
from devteam_git.handover import base_branches
from devteam_git.workspace import task_branch
from devteam_runs.stages import StageContext
from devteam_runs.transitions import advance, hand_on


class PrepStage:
    """Logic of `prep` commands (run under the project tree's lock)."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    async def __call__(self, ctx: StageContext[PrepCommand]) -> None:
        cmd = ctx.cmd
        started = time.perf_counter()
        ws = await ctx.workspace()
        await ws.fetch_base(cmd.base_sha, base_branches(cmd))
        try:
            tree = await ws.prepare(
                cmd.run_id, cmd.task.id, cmd.base_sha, submodules=cmd.config.submodules
            )
        except GitError as exc:
            raise exc.within("cannot prepare the worktree") from None
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        run = await advance(self.bus, cmd, Stage.IMPLEMENT)
        if run is None:
            return
        branch = task_branch(cmd.run_id, cmd.task.id)
        data = TaskPreparedData(
            branch=branch,
            base_sha=cmd.base_sha,
            duration_ms=elapsed_ms,
            disk_bytes=await ws.disk_usage(),
            worktree=str(tree),
        )
        message = f"worktree ready on {branch} in {elapsed_ms} ms"
        await ctx.publish(run, Stage.PREP, message, data)
        await hand_on(self.bus, run, cmd, Stage.IMPLEMENT, cmd.next(ImplementCommand))
