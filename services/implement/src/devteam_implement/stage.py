"""IMPLEMENT: run Aider on the task in the project's tree and judge the result from git alone
(never from Aider's exit code or words)."""

import os
import time
from pathlib import Path

from devteam_aider import AiderInvocation, run_aider
from devteam_bus.cancel import unless_ended
from devteam_bus.connection import Bus
from devteam_bus.context import load_active
from devteam_bus.errors import PermanentError
from devteam_bus.lifecycle import advance
from devteam_bus.logstream import log_stream
from devteam_bus.publish import publish_command, publish_task_event
from devteam_contracts.commands import ImplementCommand, VerifyCommand
from devteam_contracts.events import EventType
from devteam_contracts.subjects import Stage
from devteam_git.run import git
from devteam_git.settings import WorkspaceSettings
from devteam_git.workspace import Workspace, changed_paths, commit_all, dirty_paths, head
from devteam_implement.prompt import instruction
from devteam_implement.protected import protected_paths
from devteam_implement.settings import ImplementSettings
from devteam_sandbox.redact import redact


class ImplementStage:
    """Handler of `implement` commands."""

    def __init__(self, bus: Bus, workspaces: WorkspaceSettings, aider: ImplementSettings) -> None:
        self.bus = bus
        self.workspaces = workspaces
        self.aider = aider

    async def __call__(self, cmd: ImplementCommand) -> None:
        loaded = await load_active(self.bus, cmd, Stage.IMPLEMENT)
        if loaded is None:
            return
        run, project = loaded.run, loaded.project
        tree = Workspace.for_project(self.workspaces.data_dir, project).tree.resolve()
        if not (tree / ".git").exists():
            raise PermanentError(f"the worktree of task {cmd.task.id} is missing")
        # Start from exactly the committed state, so every change afterwards is Aider's.
        await git(["reset", "--quiet", "--hard"], tree)
        await git(["clean", "-qfd"], tree)
        api_key = os.environ.get(project.model.api_key_env)
        secrets = [api_key] if api_key else []
        await publish_task_event(
            self.bus, run, cmd, Stage.IMPLEMENT, EventType.TASK_IMPLEMENTING,
            f"Aider is working on {cmd.task.id} (attempt {cmd.attempt})",
            {"model": project.model.name},
        )  # fmt: skip
        started = time.perf_counter()
        state_dir = self.workspaces.data_dir.resolve() / "aider" / cmd.tenant / cmd.project_id
        invocation = AiderInvocation(
            worktree=tree,
            message=instruction(cmd, cmd.config.tasks_file),
            model=project.model.name,
            api_base=project.model.api_base,
            api_key=api_key,
            state_dir=state_dir / cmd.run_id,
            timeout_s=cmd.config.limits.implement_seconds,
            edit_format=self.aider.aider_edit_format,
        )
        async with log_stream(
            self.bus, run, Stage.IMPLEMENT, cmd.task.id, cmd.attempt, lambda s: redact(s, secrets)
        ) as logs:
            outcome = await unless_ended(
                self.bus,
                cmd.run_id,
                run_aider(invocation, self.aider.aider_python, on_line=logs.line),
            )
        tail = redact(outcome.output_tail, secrets)
        if outcome.timed_out:
            raise PermanentError(
                f"Aider did not finish within {cmd.config.limits.implement_seconds} s", tail
            )
        tip, changed = await self._judge(cmd, tree, tail)
        elapsed = round(time.perf_counter() - started, 2)
        moved = await advance(self.bus, cmd, Stage.VERIFY)
        if moved is None:
            return
        data = {"head_sha": tip, "files": changed, "duration_s": elapsed,
                "aider_exit_code": outcome.exit_code}  # fmt: skip
        await publish_task_event(
            self.bus, moved, cmd, Stage.IMPLEMENT, EventType.TASK_IMPLEMENTED,
            f"{len(changed)} file(s) changed in {elapsed} s: {', '.join(changed[:5])}", data,
        )  # fmt: skip
        await publish_command(self.bus, Stage.VERIFY, cmd.next(VerifyCommand, head_sha=tip))

    async def _judge(self, cmd: ImplementCommand, tree: Path, tail: str) -> tuple[str, list[str]]:
        """The new head and the files this attempt changed; `PermanentError` when there is no
        change, or a change to the task list or a protected path."""
        if await dirty_paths(tree):
            await commit_all(tree, f"{cmd.task.id}: changes left uncommitted by Aider")
        tip = await head(tree)
        # Judged against where the attempt started, so a redelivered command that finds
        # Aider's commit already there still sees the change.
        start = cmd.from_sha or cmd.base_sha
        changed = await changed_paths(tree, start, tip) if tip != start else []
        if not changed:
            raise PermanentError("Aider made no change to the repository", tail)
        touched = await changed_paths(tree, cmd.base_sha, tip)
        if cmd.config.tasks_file in touched:
            raise PermanentError(
                f"the implementer edited {cmd.config.tasks_file}, which only DevTeam Runner "
                "may change",
                tail,
            )
        forbidden = protected_paths(touched, cmd.config.protected)
        if forbidden:
            raise PermanentError(
                f"the implementer changed protected paths: {', '.join(forbidden[:10])}", tail
            )
        return tip, changed
