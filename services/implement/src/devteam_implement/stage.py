"""IMPLEMENT: run Aider on the task in its worktree and judge the result from git alone."""

import os
import time

from devteam_aider import AiderInvocation, run_aider
from devteam_bus.cancel import unless_ended
from devteam_bus.connection import Bus
from devteam_bus.context import load_active
from devteam_bus.errors import PermanentError
from devteam_bus.lifecycle import set_current
from devteam_bus.logstream import log_stream
from devteam_bus.publish import publish_command, publish_event
from devteam_contracts.commands import ImplementCommand, VerifyCommand
from devteam_contracts.events import EventType
from devteam_contracts.subjects import Stage
from devteam_git.run import git
from devteam_git.workspace import Workspace, changed_paths, commit_all, dirty_paths, head
from devteam_implement.prompt import instruction
from devteam_implement.protected import protected_paths
from devteam_implement.settings import ImplementSettings
from devteam_sandbox.redact import redact


class ImplementStage:
    """Handler of `implement` commands."""

    def __init__(self, bus: Bus, settings: ImplementSettings) -> None:
        self.bus = bus
        self.settings = settings

    async def __call__(self, cmd: ImplementCommand) -> None:
        loaded = await load_active(self.bus, cmd, Stage.IMPLEMENT)
        if loaded is None:
            return
        run, project = loaded.run, loaded.project
        worktree = Workspace.for_project(self.settings.data_dir, project).tree
        if not (worktree / ".git").exists():
            raise PermanentError(f"the worktree of task {cmd.task.id} is missing")
        # Start from exactly the committed state, so every change afterwards is Aider's.
        await git(["reset", "--quiet", "--hard"], worktree)
        await git(["clean", "-qfd"], worktree)
        # Judged against where the attempt started, so a redelivered command that finds
        # Aider's commit already there still sees the change.
        start = cmd.from_sha or cmd.base_sha
        api_key = os.environ.get(project.model.api_key_env)
        secrets = [api_key] if api_key else []
        await publish_event(
            self.bus,
            run,
            EventType.TASK_IMPLEMENTING,
            stage=Stage.IMPLEMENT,
            task_id=cmd.task.id,
            attempt=cmd.attempt,
            message=f"Aider is working on {cmd.task.id} (attempt {cmd.attempt})",
            data={"model": project.model.name},
            dedup_id=f"implementing-{cmd.task.id}-{cmd.attempt}",
        )
        started = time.perf_counter()
        state_dir = (
            self.settings.data_dir / "aider" / cmd.tenant / cmd.project_id / cmd.run_id
        ).resolve()
        invocation = AiderInvocation(
            worktree=worktree.resolve(),
            message=instruction(cmd, cmd.config.tasks_file),
            model=project.model.name,
            api_base=project.model.api_base,
            api_key=api_key,
            state_dir=state_dir,
            timeout_s=cmd.config.limits.implement_seconds,
            edit_format=self.settings.aider_edit_format,
        )
        async with log_stream(
            self.bus, run, Stage.IMPLEMENT, cmd.task.id, cmd.attempt, lambda s: redact(s, secrets)
        ) as logs:
            outcome = await unless_ended(
                self.bus,
                cmd.run_id,
                run_aider(invocation, self.settings.aider_python, on_line=logs.line),
            )
        tail = redact(outcome.output_tail, secrets)
        if outcome.timed_out:
            raise PermanentError(
                f"Aider did not finish within {cmd.config.limits.implement_seconds} s", tail
            )
        if await dirty_paths(worktree):
            await commit_all(worktree, f"{cmd.task.id}: changes left uncommitted by Aider")
        tip = await head(worktree)
        changed = await changed_paths(worktree, start, tip) if tip != start else []
        if not changed:
            raise PermanentError("Aider made no change to the repository", tail)
        touched = await changed_paths(worktree, cmd.base_sha, tip)
        if cmd.config.tasks_file in touched:
            raise PermanentError(
                f"the implementer edited {cmd.config.tasks_file}, which only DevTeam Runner may "
                "change",
                tail,
            )
        forbidden = protected_paths(touched, cmd.config.protected)
        if forbidden:
            raise PermanentError(
                f"the implementer changed protected paths: {', '.join(forbidden[:10])}", tail
            )
        elapsed = round(time.perf_counter() - started, 2)
        run = (
            await set_current(
                self.bus, cmd.run_id, cmd.task.id, cmd.task.title, Stage.VERIFY, cmd.attempt
            )
            or run
        )
        await publish_event(
            self.bus,
            run,
            EventType.TASK_IMPLEMENTED,
            stage=Stage.IMPLEMENT,
            task_id=cmd.task.id,
            attempt=cmd.attempt,
            message=f"{len(changed)} file(s) changed in {elapsed} s: {', '.join(changed[:5])}",
            data={
                "head_sha": tip,
                "files": changed,
                "duration_s": elapsed,
                "aider_exit_code": outcome.exit_code,
            },
            dedup_id=f"implemented-{cmd.task.id}-{cmd.attempt}",
        )
        await publish_command(
            self.bus,
            Stage.VERIFY,
            VerifyCommand(
                run_id=cmd.run_id,
                tenant=cmd.tenant,
                project_id=cmd.project_id,
                task=cmd.task,
                config=cmd.config,
                attempt=cmd.attempt,
                base_sha=cmd.base_sha,
                head_sha=tip,
            ),
        )
