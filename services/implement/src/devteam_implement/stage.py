"""IMPLEMENT: run Aider on the task in the project's tree and judge the attempt from git and
from the model's actual answers (never from Aider's exit code or words): one reason code per
attempt, recorded in the run with its tokens and cost."""

import logging
import time
from pathlib import Path

from devteam_aider import AiderHost
from devteam_bus.bundles import BundleStore
from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError, RunEndedError
from devteam_bus.logstream import log_stream
from devteam_bus.publish import publish_task_event
from devteam_contracts.commands import ImplementCommand, VerifyCommand
from devteam_contracts.event_data import (
    TaskAttemptFailedData,
    TaskImplementedData,
    TaskImplementingData,
)
from devteam_contracts.runs import AttemptCode, AttemptRecord, FailureCode
from devteam_contracts.subjects import Stage
from devteam_contracts.usage import tightest
from devteam_git.errors import GitError
from devteam_git.settings import WorkspaceSettings
from devteam_git.workspace import Workspace
from devteam_implement.attempt import AttemptResult, prepare_tree, run_attempt
from devteam_implement.outcome import repair_failure
from devteam_implement.settings import ImplementSettings
from devteam_runs.cancellation import unless_ended
from devteam_runs.stages import StageContext
from devteam_runs.transitions import advance, hand_on, record_attempt, recorded_change
from devteam_sandbox.redact import redact
from devteam_sandbox.settings import WorkSettings
from devteam_tenants.budgets import BudgetStore

log = logging.getLogger(__name__)

# The model answered, and its answer changed nothing: what the project's checks say decides.
UNCHANGED = (AttemptCode.NO_CHANGE, AttemptCode.MALFORMED_EDIT)


class ImplementStage:
    """Logic of `implement` commands (run under the project tree's lock)."""

    def __init__(
        self,
        bus: Bus,
        workspaces: WorkspaceSettings,
        aider: ImplementSettings,
        work: WorkSettings,
        host: AiderHost | None = None,
    ) -> None:
        self.bus = bus
        self.workspaces = workspaces
        self.aider = aider
        self.work = work  # the priority Aider runs at
        self.host = host if aider.aider_host else None

    async def __call__(self, ctx: StageContext[ImplementCommand]) -> None:
        cmd, run, project, resolver = ctx.cmd, ctx.run, ctx.project, ctx.secrets
        # No model request once the run's budget, or its tenant's for this month, is spent.
        tenant_spent, tenant_left = await BudgetStore(self.bus).spent(cmd.tenant)
        spent = cmd.config.limits.spent(run.usage) or tenant_spent
        if spent:
            raise PermanentError(spent, code=FailureCode.BUDGET_EXCEEDED)
        budget = tightest(cmd.config.limits.left(run.usage), tenant_left)
        ws = await ctx.workspace()
        model = project.model
        api_key = await resolver.lookup(model.api_key_secret, model.api_key_env, "model.api_key")
        tree = await self._tree(ws, cmd)
        files = await prepare_tree(tree, cmd, locate=self.aider.locate_files)
        secrets = resolver.resolved  # every value resolved for this command is redacted
        await ctx.publish(
            run, Stage.IMPLEMENT,
            f"Aider is working on {cmd.task.id} (attempt {cmd.attempt})",
            TaskImplementingData(model=project.model.name, files=files.editable,
                                 read_only=files.read_only, chat=files.chosen),
        )  # fmt: skip
        state_root = self.workspaces.data_dir.resolve() / "aider" / cmd.tenant / cmd.project_id
        started = time.perf_counter()
        try:
            async with log_stream(
                self.bus, run, Stage.IMPLEMENT, cmd.task.id, cmd.attempt,
                lambda s: redact(s, secrets),
            ) as logs:  # fmt: skip
                result = await unless_ended(
                    self.bus,
                    cmd.run_id,
                    run_attempt(
                        cmd, project, tree, files, self.aider, state_root, self.host, api_key,
                        logs.line, nice=self.work.work_nice,
                        budget=budget,
                    ),
                )  # fmt: skip
        except RunEndedError:
            await self._cancelled(cmd, time.perf_counter() - started)
            raise
        repairs_left = cmd.attempt <= cmd.config.limits.repair_attempts
        if result.judgement.code is AttemptCode.CHANGED:
            await self._changed(ws, cmd, result.record)
        elif result.judgement.code in UNCHANGED and repairs_left:
            await self._unchanged(ws, cmd, result.record)
        else:
            await self._failed(cmd, result)

    async def _tree(self, ws: Workspace, cmd: ImplementCommand) -> Path:
        """This worker's own tree of the project on the task branch, at the commit the attempt
        starts from: the base, or for a repair the previous attempt's head, imported from the
        bundle that attempt handed over (it may have run on another replica)."""
        start = cmd.from_sha or cmd.base_sha
        try:
            # a repair starts from the previous attempt's head (attempt 1 from the base)
            bundles = BundleStore(self.bus).get
            return await ws.checkout_task_commit(cmd, start, cmd.attempt - 1, bundles)
        except GitError as exc:
            raise exc.within(f"cannot prepare the worktree of task {cmd.task.id}") from None

    async def _cancelled(self, cmd: ImplementCommand, elapsed: float) -> None:
        record = AttemptRecord(
            task_id=cmd.task.id,
            attempt=cmd.attempt,
            code=AttemptCode.CANCELLED,
            detail="the run ended while Aider worked",
            runner="host" if self.host else "cli",
            duration_s=round(elapsed, 3),
        )
        await record_attempt(self.bus, cmd.run_id, record)

    async def _changed(self, ws: Workspace, cmd: ImplementCommand, record: AttemptRecord) -> None:
        assert record.head_sha is not None
        # The attempt's commits go to verify and complete through NATS, whichever replica
        # (on whichever machine) takes their commands.
        bundle = await ws.bundle(
            cmd.run_id, cmd.task.id, cmd.attempt, cmd.base_sha, record.head_sha
        )
        await BundleStore(self.bus).put(
            cmd.run_id, cmd.task.id, cmd.attempt, record.head_sha, bundle
        )
        moved = await advance(self.bus, cmd, Stage.VERIFY, record=record)
        if moved is None:
            return
        first = recorded_change(moved, cmd.task.id, cmd.attempt)
        if first is not None and first.head_sha != record.head_sha:
            # Another delivery of this attempt handed its change over first: the run goes on
            # with that one (its event and command again, deduplicated), never with both.
            log.info("%s task %s attempt %d: another delivery's change (%s) was first; "
                     "dropping this one (%s)", cmd.run_id, cmd.task.id, cmd.attempt,
                     first.head_sha, record.head_sha)  # fmt: skip
            record = first
            assert record.head_sha is not None
        data = TaskImplementedData(
            head_sha=record.head_sha,
            files=record.files,
            duration_s=record.duration_s,
            attempt=record,
            run_usage=moved.usage,
        )
        tokens = record.usage.prompt_tokens + record.usage.completion_tokens
        await publish_task_event(
            self.bus, moved, cmd, Stage.IMPLEMENT,
            f"{len(record.files)} file(s) changed in {record.duration_s} s "
            f"({record.edit_requests} edit request(s), {tokens} tokens): "
            f"{', '.join(record.files[:5])}",
            data,
        )  # fmt: skip
        verify = cmd.next(VerifyCommand, head_sha=record.head_sha)
        await hand_on(self.bus, moved, cmd, Stage.VERIFY, verify)

    async def _unchanged(self, ws: Workspace, cmd: ImplementCommand, record: AttemptRecord) -> None:
        """The model answered, but its answer changed nothing. Its word that nothing needs to
        change is not taken either: the checks run on the tree as it is, and fail it back to
        the model (told that its answer changed nothing) like a change, while repairs remain.
        Checks that pass do not complete the task: VERIFY fails it as `no_change`."""
        start = cmd.from_sha or cmd.base_sha
        if start != cmd.base_sha:
            # the commit VERIFY checks out comes with this attempt's handover too, whichever
            # replica takes it
            bundle = await ws.bundle(cmd.run_id, cmd.task.id, cmd.attempt, cmd.base_sha, start)
            await BundleStore(self.bus).put(cmd.run_id, cmd.task.id, cmd.attempt, start, bundle)
        moved = await advance(self.bus, cmd, Stage.VERIFY, record=record)
        if moved is None:
            return
        change = recorded_change(moved, cmd.task.id, cmd.attempt)
        if change is not None:
            # another delivery of this attempt changed files, and the run went on with that
            log.info("%s task %s attempt %d: %s, but another delivery of it made a change",
                     cmd.run_id, cmd.task.id, cmd.attempt, record.code.value)  # fmt: skip
            assert change.head_sha is not None
            verify = cmd.next(VerifyCommand, head_sha=change.head_sha)
        else:
            await publish_task_event(
                self.bus, moved, cmd, Stage.IMPLEMENT,
                f"attempt {cmd.attempt} of {cmd.task.id}: {record.code.value}: {record.detail}; "
                "the checks decide whether that is enough",
                TaskAttemptFailedData(attempt=record, run_usage=moved.usage),
            )  # fmt: skip
            verify = cmd.next(VerifyCommand, head_sha=start, unchanged=True)
        await hand_on(self.bus, moved, cmd, Stage.VERIFY, verify)

    async def _failed(self, cmd: ImplementCommand, result: AttemptResult) -> None:
        record = result.record
        run = await record_attempt(self.bus, cmd.run_id, record)
        if run is not None and recorded_change(run, cmd.task.id, cmd.attempt):
            log.info("%s task %s attempt %d: %s, but another delivery of it made a change "
                     "and the run went on with that", cmd.run_id, cmd.task.id, cmd.attempt,
                     record.code.value)  # fmt: skip
            return
        if run is not None and not run.state.terminal:
            await publish_task_event(
                self.bus, run, cmd, Stage.IMPLEMENT,
                f"attempt {cmd.attempt} of {cmd.task.id}: {record.code.value}: {record.detail}",
                TaskAttemptFailedData(attempt=record, run_usage=run.usage),
            )  # fmt: skip
        code = FailureCode(record.code.value)
        check = cmd.failed_check
        if check is None or code is FailureCode.BUDGET_EXCEEDED:
            raise PermanentError(record.detail, result.output_tail, code=code)
        # A repair that could not fix a failed check: the task failed its checks, and the run
        # says so with the check's own output (Aider's is in the attempt's log events).
        raise PermanentError(
            repair_failure(check, cmd.attempt, result.judgement),
            check.output_tail,
            code=code,
            stage=Stage.VERIFY,
        )
