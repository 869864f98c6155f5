"""PREP: the project's tree, clean, on the task branch `devteam/<run>/<task>` at the base."""

import time

from devteam_bus.connection import Bus
from devteam_bus.context import load_active
from devteam_bus.errors import PermanentError
from devteam_bus.lifecycle import advance, hand_on
from devteam_bus.publish import publish_task_event
from devteam_bus.secrets import Secrets
from devteam_contracts.commands import ImplementCommand, PrepCommand
from devteam_contracts.events import TaskPreparedData
from devteam_contracts.runs import FailureCode
from devteam_contracts.subjects import Stage
from devteam_git.errors import GitError
from devteam_git.settings import WorkspaceSettings
from devteam_git.workspace import Workspace, task_branch


class PrepStage:
    """Handler of `prep` commands."""

    def __init__(self, bus: Bus, settings: WorkspaceSettings) -> None:
        self.bus = bus
        self.settings = settings

    async def __call__(self, cmd: PrepCommand) -> None:
        async with Workspace.tree_lock(self.settings.data_dir, cmd.tenant, cmd.project_id):
            await self._prepare(cmd)

    async def _prepare(self, cmd: PrepCommand) -> None:
        loaded = await load_active(self.bus, cmd, Stage.PREP)
        if loaded is None:
            return
        started = time.perf_counter()
        secrets = Secrets(self.bus, cmd.tenant)
        ws = await Workspace.open(self.settings.data_dir, loaded.project, secrets.lookup)
        if not await ws.has_commit(cmd.base_sha):
            await ws.sync(cmd.config.target_branch)
        try:
            tree = await ws.prepare(
                cmd.run_id, cmd.task.id, cmd.base_sha, submodules=cmd.config.submodules
            )
        except GitError as exc:
            raise PermanentError(
                f"cannot prepare the worktree: {exc}", code=FailureCode.GIT_ERROR
            ) from exc
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
        await publish_task_event(self.bus, run, cmd, Stage.PREP, message, data)
        await hand_on(self.bus, run, cmd, Stage.IMPLEMENT, cmd.next(ImplementCommand))
