"""PREP: a clean worktree on the task branch `devteam/<run>/<task>` at the selected base."""

import time

from devteam_bus.connection import Bus
from devteam_bus.context import load_active
from devteam_bus.errors import PermanentError
from devteam_bus.lifecycle import set_current
from devteam_bus.publish import publish_command, publish_event
from devteam_contracts.commands import ImplementCommand, PrepCommand
from devteam_contracts.events import EventType
from devteam_contracts.subjects import Stage
from devteam_git.errors import GitError
from devteam_git.workspace import Workspace, task_branch
from devteam_prep.settings import PrepSettings


class PrepStage:
    """Handler of `prep` commands."""

    def __init__(self, bus: Bus, settings: PrepSettings) -> None:
        self.bus = bus
        self.settings = settings

    async def __call__(self, cmd: PrepCommand) -> None:
        loaded = await load_active(self.bus, cmd, Stage.PREP)
        if loaded is None:
            return
        project = loaded.project
        started = time.perf_counter()
        ws = Workspace.for_project(self.settings.data_dir, project)
        if not await ws.has_commit(cmd.base_sha):
            await ws.sync(cmd.config.target_branch)
        try:
            path = await ws.prepare(
                cmd.run_id, cmd.task.id, cmd.base_sha, submodules=cmd.config.submodules
            )
        except GitError as exc:
            raise PermanentError(f"cannot prepare the worktree: {exc}") from exc
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        disk_bytes = await ws.disk_usage()
        run = await set_current(
            self.bus, cmd.run_id, cmd.task.id, cmd.task.title, Stage.IMPLEMENT, cmd.attempt
        )
        if run is None or run.state.terminal:
            return
        branch = task_branch(cmd.run_id, cmd.task.id)
        await publish_event(
            self.bus,
            run,
            EventType.TASK_PREPARED,
            stage=Stage.PREP,
            task_id=cmd.task.id,
            attempt=cmd.attempt,
            message=f"worktree ready on {branch} in {elapsed_ms} ms",
            data={
                "branch": branch,
                "base_sha": cmd.base_sha,
                "duration_ms": elapsed_ms,
                "disk_bytes": disk_bytes,
                "worktree": str(path),
            },
            dedup_id=f"prepared-{cmd.task.id}",
        )
        await publish_command(
            self.bus,
            Stage.IMPLEMENT,
            ImplementCommand(
                run_id=cmd.run_id,
                tenant=cmd.tenant,
                project_id=cmd.project_id,
                task=cmd.task,
                config=cmd.config,
                attempt=1,
                base_sha=cmd.base_sha,
            ),
        )
