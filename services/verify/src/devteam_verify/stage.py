"""VERIFY: run the project's checks on the task's head in a sandbox; pass → COMPLETE, fail →
repair (bounded) → stop the run."""

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from devteam_bus.bundles import BundleStore
from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError
from devteam_bus.logstream import LogStream, log_stream
from devteam_bus.publish import publish_command, publish_task_event
from devteam_contracts.commands import (
    CompleteCommand,
    FailedCheck,
    ImplementCommand,
    VerifyCommand,
)
from devteam_contracts.detection import manifest_files
from devteam_contracts.event_data import (
    EnvironmentReport,
    SandboxReport,
    TaskRepairData,
    TaskVerifiedData,
    TaskVerifyingData,
)
from devteam_contracts.runs import FailureCode
from devteam_contracts.subjects import Stage
from devteam_git.errors import GitError
from devteam_git.settings import WorkspaceSettings
from devteam_git.workspace import Workspace
from devteam_runs.cancellation import unless_ended
from devteam_runs.stages import StageContext
from devteam_runs.transitions import advance, hand_on, recorded_change
from devteam_sandbox.docker_backend import ImageNotAllowedError
from devteam_sandbox.environments import (
    Environment,
    EnvironmentStore,
    Record,
    environment_key,
    materialize,
    max_bytes,
    toolchain_identity,
    toolchain_site,
    unseal_and_remove,
)
from devteam_sandbox.filesystem import toolchain_dir
from devteam_sandbox.identity import SandboxUser, give_tree
from devteam_sandbox.limits import LIMIT_FIELDS, CheckLimits, resolve
from devteam_sandbox.process import ProcessResult
from devteam_sandbox.redact import redact
from devteam_sandbox.sandbox import Box, backend, describe, open_box, run_sandboxed
from devteam_sandbox.settings import SandboxSettings

log = logging.getLogger(__name__)


class VerifyStage:
    """Logic of `verify` commands (run under the project tree's lock)."""

    def __init__(self, bus: Bus, settings: WorkspaceSettings, sandbox: SandboxSettings) -> None:
        self.bus = bus
        self.settings = settings
        self.sandbox = sandbox
        self.environments = EnvironmentStore(settings.data_dir, max_bytes(sandbox))
        # what a crash left half made goes, and the store is brought within its bound
        self.environments.evict()

    async def __call__(self, ctx: StageContext[VerifyCommand]) -> None:
        cmd, run, secrets = ctx.cmd, ctx.run, ctx.secrets
        change = recorded_change(run, cmd.task.id, cmd.attempt) if cmd.unchanged else None
        if change is not None and change.head_sha is not None:
            # two deliveries of the attempt, one with a change, one without: the run went on
            # with the change (both commands carry one message id, so this may be the one kept)
            cmd = cmd.model_copy(update={"head_sha": change.head_sha, "unchanged": False})
        ws = await ctx.workspace()
        tree = await self._tree(ws, cmd)
        checks = [*cmd.config.verify, *cmd.task.verify]
        limits = resolve(
            {name: getattr(cmd.config.limits, f"verify_{name}") for name in LIMIT_FIELDS},
            self.sandbox,
        )
        try:
            sandbox = describe(limits, cmd.config.sandbox_image, settings=self.sandbox)
        except ImageNotAllowedError as exc:
            raise PermanentError(str(exc), code=FailureCode.INVALID_CONFIG) from exc
        gitdir = await asyncio.to_thread(ws.tree_gitdir)
        git = (gitdir, cmd.head_sha) if gitdir else None
        failed: tuple[str, ProcessResult] | None = None
        # every value resolved for this command (git credentials) is redacted, with the usual
        # credential-shaped patterns
        async with (
            log_stream(
                self.bus, run, Stage.VERIFY, cmd.task.id, cmd.attempt,
                lambda s: redact(s, secrets.resolved),
            ) as logs,
            open_box(
                self.settings.data_dir / "boxes", cmd.tenant, tree, git, settings=self.sandbox
            ) as box,
            contextlib.AsyncExitStack() as using,
        ):  # fmt: skip
            runner = _Runner(self.bus, cmd, limits, logs)
            ready = await self._environment(cmd, ws, tree, box, runner, using)
            if isinstance(ready, _SetupFailed):
                await self._setup_failed(cmd, ws, ready)
                return
            box, environment = ready
            data = TaskVerifyingData(
                commands=checks,
                head_sha=cmd.head_sha,
                sandbox=SandboxReport.model_validate(sandbox),
                environment=environment,
            )
            await ctx.publish(
                run, Stage.VERIFY,
                f"running {len(checks)} check(s)" + _env_note(environment), data,
            )  # fmt: skip
            started = time.perf_counter()
            for command in checks:
                result = await runner.run(command, box, network=False)
                if not result.ok:
                    failed = (command, result)
                    break
        elapsed = round(time.perf_counter() - started, 2)
        if failed is None:
            await self._passed(cmd, elapsed)
        else:
            await self._failed(cmd, *failed)

    async def _environment(
        self,
        cmd: VerifyCommand,
        ws: Workspace,
        tree: Path,
        box: Box,
        runner: "_Runner",
        using: contextlib.AsyncExitStack,
    ) -> "tuple[Box, EnvironmentReport | None] | _SetupFailed":
        """The project's environment for this head: reused when one of its dependency state
        was built before, else built now by the setup commands (with the network), then
        shown to the checks read-only. None for a project without setup."""
        setup = list(cmd.config.setup)
        if not setup:
            return box, None
        venv = cmd.config.venv
        started = time.perf_counter()
        manifests = await _manifests(ws, cmd.head_sha)
        toolchain = await asyncio.to_thread(
            toolchain_identity, self.sandbox, cmd.config.sandbox_image
        )
        key = environment_key(
            cmd.tenant, cmd.project_id, [*setup, f"venv={venv}"], manifests, toolchain
        )
        env = self.environments.environment(cmd.tenant, cmd.project_id, key)
        using.enter_context(self.environments.using(env))
        record = await asyncio.to_thread(env.record)
        status: Literal["built", "reused"] = "reused"
        if record is None:
            status = "built"
            built = await self._build(cmd, ws, tree, box, runner, env, sorted(manifests))
            if isinstance(built, _SetupFailed):
                return built
            record = built
        files = await asyncio.to_thread(materialize, env, record, tree, box.user)
        seconds = round(time.perf_counter() - started, 2)
        activation = env.activation(building=False, caches=None, venv=venv)
        described = EnvironmentReport(
            key=key,
            status=status,
            seconds=seconds,
            setup=setup,
            manifests=sorted(manifests),
            venv=venv,
            files=files,
            size_bytes=record.size_bytes,
        )
        return replace(box, activation=activation), described

    async def _build(
        self,
        cmd: VerifyCommand,
        ws: Workspace,
        tree: Path,
        box: Box,
        runner: "_Runner",
        env: Environment,
        manifests: list[str],
    ) -> "Record | _SetupFailed":
        setup, venv = list(cmd.config.setup), cmd.config.venv
        store = self.environments
        started = time.perf_counter()
        await asyncio.to_thread(store.begin, env, box.user)
        caches = await asyncio.to_thread(store.caches, cmd.tenant, box.user)
        building = replace(box, activation=env.activation(building=True, caches=caches, venv=venv))
        steps = [(MAKE_VENV, False)] if venv else []
        steps += [(command, True) for command in setup]
        for command, network in steps:
            # (the venv is ours to make: the project's time limit is for its own commands)
            limit = (
                max(VENV_SECONDS, cmd.config.limits.verify_seconds)
                if command == MAKE_VENV
                else None
            )
            result = await runner.run(command, building, network=network, timeout_s=limit)
            if not result.ok:
                await asyncio.to_thread(unseal_and_remove, env.path)
                return _SetupFailed(command, result)
        try:
            leftovers = await ws.setup_leftovers()
            await asyncio.to_thread(give_tree_to, tree, box.user)
        except GitError as exc:
            raise exc.within("after setup") from None
        on_host = backend(self.sandbox) != "docker"
        site = toolchain_site(toolchain_dir(self.sandbox)) if on_host else None
        record = await asyncio.to_thread(
            store.finish, env, tree, leftovers, setup=setup, manifests=manifests,
            venv=venv, built_s=time.perf_counter() - started, toolchain_site=site,
        )  # fmt: skip
        removed = await asyncio.to_thread(store.evict)
        if removed:
            log.info("environments evicted (least recently used): %s", removed)
        return record

    async def _setup_failed(
        self, cmd: VerifyCommand, ws: Workspace, failed: "_SetupFailed"
    ) -> None:
        """A setup that fails is the environment's problem, not the model's: the run stops,
        unless this task's own change touched a manifest (then it is the change's fault and a
        repair may fix it)."""
        try:
            touched = await ws.changed_between(cmd.base_sha, cmd.head_sha)
        except GitError:
            touched = []
        changed = manifest_files(touched)  # (a manifest the change deleted counts too)
        if changed:
            await self._failed(cmd, failed.command, failed.result, setup=changed)
            return
        result = failed.result
        code = FailureCode.SETUP_TIMEOUT if result.timed_out else FailureCode.SETUP_FAILED
        raise PermanentError(
            f"setup `{failed.command}` {_why(result)}: the project's environment could not be "
            "built (not sent to the model: the task's change did not touch its dependencies)",
            redact(result.output_tail),
            code=code,
        )

    async def _tree(self, ws: Workspace, cmd: VerifyCommand) -> Path:
        """This worker's own clean tree at the attempt's head, whose commits came from the
        bundle implement handed over."""
        try:
            bundles = BundleStore(self.bus).get
            return await ws.checkout_task_commit(cmd, cmd.head_sha, cmd.attempt, bundles)
        except GitError as exc:
            raise exc.within(
                f"cannot check out {cmd.head_sha[:12]} of task {cmd.task.id}"
            ) from None

    async def _passed(self, cmd: VerifyCommand, elapsed: float) -> None:
        if cmd.unchanged:
            raise PermanentError(
                f"attempt {cmd.attempt} changed nothing, and the checks pass without a change: "
                f"nothing shows that task {cmd.task.id} is done",
                code=FailureCode.NO_CHANGE,
                stage=Stage.IMPLEMENT,
            )
        run = await advance(self.bus, cmd, Stage.COMPLETE)
        if run is None:
            return
        await publish_task_event(
            self.bus, run, cmd, Stage.VERIFY, f"checks passed in {elapsed} s",
            TaskVerifiedData(duration_s=elapsed, head_sha=cmd.head_sha),
        )  # fmt: skip
        await publish_command(
            self.bus, Stage.COMPLETE, cmd.next(CompleteCommand, head_sha=cmd.head_sha)
        )

    async def _failed(
        self,
        cmd: VerifyCommand,
        command: str,
        result: ProcessResult,
        *,
        setup: list[str] | None = None,
    ) -> None:
        """A check failed (or a setup the change broke: `setup` names the manifests it
        touched): a repair, or the end of the run when the repairs are spent."""
        why = _why(result)
        reason = f"`{command}` {why}"
        tail = redact(result.output_tail)
        repairs = cmd.config.limits.repair_attempts
        if cmd.attempt > repairs:
            if setup:
                code = FailureCode.SETUP_TIMEOUT if result.timed_out else FailureCode.SETUP_FAILED
            else:
                code = FailureCode.CHECKS_TIMEOUT if result.timed_out else FailureCode.CHECKS_FAILED
            raise PermanentError(f"{reason} after {cmd.attempt} attempt(s)", tail, code=code)
        run = await advance(self.bus, cmd, Stage.IMPLEMENT, attempt=cmd.attempt + 1)
        if run is None:
            return
        unchanged = f" (attempt {cmd.attempt} changed nothing)" if cmd.unchanged else ""
        await publish_task_event(
            self.bus, run, cmd, Stage.VERIFY,
            f"{reason}{unchanged}; sending the failure back to Aider "
            f"(repair {cmd.attempt}/{repairs})",
            TaskRepairData(command=command, exit_code=result.exit_code, limit=result.limit,
                           output_tail=tail, setup=setup or []),
        )  # fmt: skip
        check = FailedCheck(
            command=command, outcome=why, timed_out=result.timed_out, output_tail=tail,
            setup=setup or [],
        )  # fmt: skip
        repair = cmd.next(
            ImplementCommand, attempt=cmd.attempt + 1, failed_check=check, from_sha=cmd.head_sha,
            after_unchanged=cmd.unchanged,
        )  # fmt: skip
        await hand_on(self.bus, run, cmd, Stage.IMPLEMENT, repair, why=reason)


# Made by us, in the box, as the tenant's user: the venv setup and checks run in (none where
# the toolchain has no Python: an image for another language).
VENV_SECONDS = 300
MAKE_VENV = 'if command -v python3 >/dev/null; then python3 -m venv "$VIRTUAL_ENV"; fi'


# (a repository that tracks thousands, e.g. a vendored node_modules, is keyed on the first)
MAX_MANIFESTS = 500


@dataclass(frozen=True)
class _SetupFailed:
    command: str
    result: ProcessResult


class _Runner:
    """Runs one command of this verify in a box: logged, bounded, given up when the run
    ends."""

    def __init__(self, bus: Bus, cmd: VerifyCommand, limits: CheckLimits, logs: LogStream) -> None:
        self.bus, self.cmd, self.limits, self.logs = bus, cmd, limits, logs

    async def run(
        self, command: str, box: Box, *, network: bool, timeout_s: float | None = None
    ) -> ProcessResult:
        await self.logs.line(f"$ {command}")
        # (a setup network that cannot be made is ours to fix, not the model's: it raises,
        # and the command is delivered again)
        return await unless_ended(
            self.bus,
            self.cmd.run_id,
            run_sandboxed(
                command,
                box=box,
                timeout_s=timeout_s or self.cmd.config.limits.verify_seconds,
                on_line=self.logs.line,
                network=network,
                limits=self.limits,
                image=self.cmd.config.sandbox_image,
            ),
        )


def _why(result: ProcessResult) -> str:
    if result.timed_out:
        return f"timed out after {result.duration_s:.0f} s"
    if result.limit:
        return f"hit the {result.limit} (exit {result.exit_code})"
    return f"exited with {result.exit_code}"


def _env_note(environment: EnvironmentReport | None) -> str:
    if environment is None:
        return ""
    return f" in the project's environment ({environment.status} in {environment.seconds} s)"


async def _manifests(ws: Workspace, commit: str) -> dict[str, bytes]:
    """The dependency manifests and lockfiles anywhere in `commit` (a monorepo's nested
    `frontend/package.json` too), read from the mirror (never through the tenant's tree)."""
    try:
        paths = manifest_files(await ws.tracked(commit))
        found = {path: await ws.read_file(commit, path) for path in paths[:MAX_MANIFESTS]}
    except GitError as exc:
        raise exc.within(f"cannot read {commit[:12]}") from None
    return {path: data for path, data in found.items() if data is not None}


def give_tree_to(tree: Path, user: SandboxUser | None) -> None:
    """The tree back to the tenant's user after root's git restored its tracked files."""
    if user is not None:
        give_tree(tree, user)
