"""VERIFY: run the project's checks on the task's head in a sandbox; pass → COMPLETE, fail →
repair (bounded) → stop the run."""

import asyncio
import time
from pathlib import Path

from devteam_bus.bundles import BundleStore
from devteam_bus.cancel import unless_ended
from devteam_bus.connection import Bus
from devteam_bus.context import load_active
from devteam_bus.errors import PermanentError
from devteam_bus.lifecycle import advance, hand_on
from devteam_bus.logstream import log_stream
from devteam_bus.publish import publish_command, publish_task_event
from devteam_bus.secrets import Secrets
from devteam_contracts.commands import (
    CompleteCommand,
    FailedCheck,
    ImplementCommand,
    VerifyCommand,
)
from devteam_contracts.events import EventType
from devteam_contracts.runs import FailureCode
from devteam_contracts.subjects import Stage
from devteam_git.errors import GitError
from devteam_git.settings import WorkspaceSettings
from devteam_git.workspace import Workspace
from devteam_sandbox.docker_backend import ImageNotAllowedError
from devteam_sandbox.limits import LIMIT_FIELDS, resolve
from devteam_sandbox.process import ProcessResult
from devteam_sandbox.redact import redact
from devteam_sandbox.sandbox import describe, open_box, run_sandboxed


class VerifyStage:
    """Handler of `verify` commands."""

    def __init__(self, bus: Bus, settings: WorkspaceSettings) -> None:
        self.bus = bus
        self.settings = settings

    async def __call__(self, cmd: VerifyCommand) -> None:
        async with Workspace.tree_lock(self.settings.data_dir, cmd.tenant, cmd.project_id):
            await self._verify(cmd)

    async def _verify(self, cmd: VerifyCommand) -> None:
        loaded = await load_active(self.bus, cmd, Stage.VERIFY)
        if loaded is None:
            return
        run = loaded.run
        secrets = Secrets(self.bus, cmd.tenant)
        ws = await Workspace.open(self.settings.data_dir, loaded.project, secrets.lookup)
        tree = await self._tree(ws, cmd)
        # `setup` (e.g. installing dependencies) may use the network; the checks may not.
        commands = [(c, True) for c in cmd.config.setup]
        commands += [(c, False) for c in (*cmd.config.verify, *cmd.task.verify)]
        limits = resolve(
            {name: getattr(cmd.config.limits, f"verify_{name}") for name in LIMIT_FIELDS}
        )
        try:
            sandbox = describe(limits, cmd.config.sandbox_image)
        except ImageNotAllowedError as exc:
            raise PermanentError(str(exc), code=FailureCode.INVALID_CONFIG) from exc
        data = {
            "commands": [c for c, _net in commands],
            "head_sha": cmd.head_sha,
            "sandbox": sandbox,
        }
        await publish_task_event(
            self.bus, run, cmd, Stage.VERIFY, EventType.TASK_VERIFYING,
            f"running {len(commands)} check(s)", data,
        )  # fmt: skip
        gitdir = await asyncio.to_thread(ws.tree_gitdir)
        git = (gitdir, cmd.head_sha) if gitdir else None
        started = time.perf_counter()
        failed: tuple[str, ProcessResult] | None = None
        # every value resolved for this command (git credentials) is redacted, with the usual
        # credential-shaped patterns
        async with (
            log_stream(
                self.bus, run, Stage.VERIFY, cmd.task.id, cmd.attempt,
                lambda s: redact(s, secrets.resolved),
            ) as logs,
            open_box(self.settings.data_dir / "boxes", cmd.tenant, tree, git) as box,
        ):  # fmt: skip
            for command, network in commands:
                await logs.line(f"$ {command}")
                # (a setup network that cannot be made is ours to fix, not the model's: it
                # raises, and the command is delivered again)
                result = await unless_ended(
                    self.bus,
                    cmd.run_id,
                    run_sandboxed(
                        command,
                        box=box,
                        timeout_s=cmd.config.limits.verify_seconds,
                        on_line=logs.line,
                        network=network,
                        limits=limits,
                        image=cmd.config.sandbox_image,
                    ),
                )
                if not result.ok:
                    failed = (command, result)
                    break
        elapsed = round(time.perf_counter() - started, 2)
        if failed is None:
            await self._passed(cmd, elapsed)
        else:
            await self._failed(cmd, *failed)

    async def _tree(self, ws: Workspace, cmd: VerifyCommand) -> Path:
        """This worker's own clean tree at the attempt's head, whose commits came from the
        bundle implement handed over."""
        try:
            bundles = BundleStore(self.bus).get
            return await ws.checkout_task_commit(cmd, cmd.head_sha, cmd.attempt, bundles)
        except GitError as exc:
            raise PermanentError(
                f"cannot check out {cmd.head_sha[:12]} of task {cmd.task.id}: {exc}",
                code=FailureCode.GIT_ERROR,
            ) from exc

    async def _passed(self, cmd: VerifyCommand, elapsed: float) -> None:
        run = await advance(self.bus, cmd, Stage.COMPLETE)
        if run is None:
            return
        await publish_task_event(
            self.bus, run, cmd, Stage.VERIFY, EventType.TASK_VERIFIED,
            f"checks passed in {elapsed} s", {"duration_s": elapsed, "head_sha": cmd.head_sha},
        )  # fmt: skip
        await publish_command(
            self.bus, Stage.COMPLETE, cmd.next(CompleteCommand, head_sha=cmd.head_sha)
        )

    async def _failed(self, cmd: VerifyCommand, command: str, result: ProcessResult) -> None:
        if result.timed_out:
            why = f"timed out after {result.duration_s:.0f} s"
        elif result.limit:
            why = f"hit the {result.limit} (exit {result.exit_code})"
        else:
            why = f"exited with {result.exit_code}"
        reason = f"`{command}` {why}"
        tail = redact(result.output_tail)
        repairs = cmd.config.limits.repair_attempts
        if cmd.attempt > repairs:
            code = FailureCode.CHECKS_TIMEOUT if result.timed_out else FailureCode.CHECKS_FAILED
            raise PermanentError(f"{reason} after {cmd.attempt} attempt(s)", tail, code=code)
        run = await advance(self.bus, cmd, Stage.IMPLEMENT, attempt=cmd.attempt + 1)
        if run is None:
            return
        await publish_task_event(
            self.bus, run, cmd, Stage.VERIFY, EventType.TASK_REPAIR,
            f"{reason}; sending the failure back to Aider (repair {cmd.attempt}/{repairs})",
            {"command": command, "exit_code": result.exit_code, "limit": result.limit,
             "output_tail": tail},
        )  # fmt: skip
        check = FailedCheck(
            command=command, outcome=why, timed_out=result.timed_out, output_tail=tail
        )
        repair = cmd.next(
            ImplementCommand, attempt=cmd.attempt + 1, failed_check=check, from_sha=cmd.head_sha
        )
        await hand_on(self.bus, run, cmd, Stage.IMPLEMENT, repair, why=reason)
