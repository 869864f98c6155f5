"""VERIFY: run the project's checks on the task's head in a sandbox; pass → COMPLETE, fail →
repair (bounded) → stop the run."""

import time

from devteam_bus.cancel import unless_ended
from devteam_bus.connection import Bus
from devteam_bus.context import load_active
from devteam_bus.errors import PermanentError
from devteam_bus.lifecycle import set_current
from devteam_bus.logstream import log_stream
from devteam_bus.publish import publish_command, publish_event
from devteam_contracts.commands import CompleteCommand, ImplementCommand, VerifyCommand
from devteam_contracts.events import EventType
from devteam_contracts.subjects import Stage
from devteam_git.workspace import Workspace, head
from devteam_sandbox.process import ProcessResult
from devteam_sandbox.redact import redact
from devteam_sandbox.sandbox import run_sandboxed
from devteam_verify.settings import VerifySettings


class VerifyStage:
    """Handler of `verify` commands."""

    def __init__(self, bus: Bus, settings: VerifySettings) -> None:
        self.bus = bus
        self.settings = settings

    async def __call__(self, cmd: VerifyCommand) -> None:
        loaded = await load_active(self.bus, cmd, Stage.VERIFY)
        if loaded is None:
            return
        run = loaded.run
        worktree = Workspace.for_project(self.settings.data_dir, loaded.project).tree.resolve()
        if not (worktree / ".git").exists():
            raise PermanentError(f"the worktree of task {cmd.task.id} is missing")
        if await head(worktree) != cmd.head_sha:
            raise PermanentError(f"the worktree is not at {cmd.head_sha[:12]} any more")
        # `setup` (e.g. installing dependencies) may use the network; the checks may not.
        commands = [(c, True) for c in cmd.config.setup]
        commands += [(c, False) for c in (*cmd.config.verify, *cmd.task.verify)]
        await publish_event(
            self.bus,
            run,
            EventType.TASK_VERIFYING,
            stage=Stage.VERIFY,
            task_id=cmd.task.id,
            attempt=cmd.attempt,
            message=f"running {len(commands)} check(s)",
            data={"commands": [c for c, _net in commands], "head_sha": cmd.head_sha},
            dedup_id=f"verifying-{cmd.task.id}-{cmd.attempt}",
        )
        home = self.settings.data_dir.resolve() / "verify-home" / cmd.run_id
        started = time.perf_counter()
        failed: tuple[str, ProcessResult] | None = None
        async with log_stream(
            self.bus, run, Stage.VERIFY, cmd.task.id, cmd.attempt, lambda s: redact(s)
        ) as logs:
            for command, network in commands:
                await logs.line(f"$ {command}")
                result = await unless_ended(
                    self.bus,
                    cmd.run_id,
                    run_sandboxed(
                        command,
                        worktree=worktree,
                        home=home,
                        timeout_s=cmd.config.limits.verify_seconds,
                        on_line=logs.line,
                        network=network,
                    ),
                )
                if not result.ok:
                    failed = (command, result)
                    break
        elapsed = round(time.perf_counter() - started, 2)
        if failed is None:
            await self._passed(cmd, elapsed)
        else:
            await self._failed(cmd, failed[0], failed[1], cmd.config.limits.repair_attempts)

    async def _passed(self, cmd: VerifyCommand, elapsed: float) -> None:
        run = await set_current(
            self.bus, cmd.run_id, cmd.task.id, cmd.task.title, Stage.COMPLETE, cmd.attempt
        )
        if run is None or run.state.terminal:
            return
        await publish_event(
            self.bus,
            run,
            EventType.TASK_VERIFIED,
            stage=Stage.VERIFY,
            task_id=cmd.task.id,
            attempt=cmd.attempt,
            message=f"checks passed in {elapsed} s",
            data={"duration_s": elapsed, "head_sha": cmd.head_sha},
            dedup_id=f"verified-{cmd.task.id}-{cmd.attempt}",
        )
        await publish_command(
            self.bus,
            Stage.COMPLETE,
            CompleteCommand(
                run_id=cmd.run_id,
                tenant=cmd.tenant,
                project_id=cmd.project_id,
                task=cmd.task,
                config=cmd.config,
                attempt=cmd.attempt,
                base_sha=cmd.base_sha,
                head_sha=cmd.head_sha,
            ),
        )

    async def _failed(
        self, cmd: VerifyCommand, command: str, result: ProcessResult, repairs: int
    ) -> None:
        why = (
            f"timed out after {result.duration_s:.0f} s"
            if result.timed_out
            else f"exited with {result.exit_code}"
        )
        reason = f"`{command}` {why}"
        tail = redact(result.output_tail)
        if cmd.attempt > repairs:
            raise PermanentError(f"{reason} (after {cmd.attempt} attempt(s))", tail)
        run = await set_current(
            self.bus, cmd.run_id, cmd.task.id, cmd.task.title, Stage.IMPLEMENT, cmd.attempt + 1
        )
        if run is None or run.state.terminal:
            return
        await publish_event(
            self.bus,
            run,
            EventType.TASK_REPAIR,
            stage=Stage.VERIFY,
            task_id=cmd.task.id,
            attempt=cmd.attempt,
            message=f"{reason}; sending the failure back to Aider (repair {cmd.attempt}/{repairs})",
            data={"command": command, "exit_code": result.exit_code, "output_tail": tail},
            dedup_id=f"repair-{cmd.task.id}-{cmd.attempt}",
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
                attempt=cmd.attempt + 1,
                base_sha=cmd.base_sha,
                feedback=f"$ {command}\n{tail}",
                from_sha=cmd.head_sha,
            ),
        )
