"""Transitions of a run shared by every stage: the terminal ones (failed, completed, cancelled,
blocked) and recording which stage of which task the run is at."""

import logging
from collections.abc import Callable
from typing import Any

from devteam_bus.bundles import BundleStore
from devteam_bus.connection import Bus
from devteam_bus.publish import publish_command, publish_event
from devteam_contracts.commands import TaskCommand
from devteam_contracts.event_data import (
    EventData,
    RunBlockedData,
    RunCancelledData,
    RunCompletedData,
    RunFailedData,
    RunPausedData,
)
from devteam_contracts.runs import (
    AttemptCode,
    AttemptRecord,
    BlockedTask,
    CurrentTask,
    Failure,
    FailureCode,
    RunMode,
    RunState,
    RunStatus,
    parked_step,
)
from devteam_contracts.subjects import Stage
from devteam_contracts.usage import total
from devteam_runs.admission import AdmissionStore, start_admitted
from devteam_runs.run_store import RunStore
from devteam_tenants.usage import UsageStore

log = logging.getLogger(__name__)

OUTPUT_TAIL_CHARS = 4000
# Attempts kept in the run's state (every attempt is also in the run's events): a long
# continuous run must stay well inside NATS's message size.
ATTEMPTS_KEPT = 200


async def end_run(
    bus: Bus,
    run_id: str,
    status: RunStatus,
    data: Callable[[RunState], EventData],
    message: str,
    *,
    updates: dict[str, Any] | None = None,
    stage: Stage | None = None,
    task_id: str | None = None,
    unless: Callable[[RunState], bool] | None = None,
) -> RunState | None:
    """Move a run to a terminal `status` (not when `unless(run)` says the caller's command is
    stale: a late duplicate never ends a run that moved on), publish its event once (the
    payload `data(run)` makes from the ended run: its usage, its pull request) once the
    bundles its stages handed each other are deleted, then release the project and its
    admission slot (starting the next waiting run).

    A run that is already terminal keeps its state. The event is published whenever the run
    ends up in `status` (deduplicated by id), so a redelivery after a crash between the state
    change and the event still publishes it. The event carries the run's model usage, which
    moves into the tenant's ended total.
    """

    def change(run: RunState) -> RunState | None:
        if run.state.terminal or (unless is not None and unless(run)):
            return None
        return run.model_copy(update={"state": status, **(updates or {})})

    runs = RunStore(bus)
    run = await runs.update(run_id, change)
    if run is None or run.state is not status:
        if run is not None and not run.state.terminal:
            log.info("run %s not ended (%s): the command is stale", run_id, message)
        return run
    try:  # (first: whoever sees the run's last event finds its bundles gone)
        await BundleStore(bus).drop_run(run.id)
    except Exception as exc:  # left to the bucket's age limit
        log.warning("could not delete the bundles of run %s: %s", run.id, exc)
    payload = data(run)
    await publish_event(
        bus,
        run,
        payload,
        stage=stage,
        task_id=task_id,
        message=message,
        dedup_id=payload.TYPE.value,
    )
    await runs.release_project(run.tenant, run.project_id, run.id)
    await start_admitted(bus, await AdmissionStore(bus).release(run.id))
    await UsageStore(bus).record(run)
    log.info("run %s %s: %s", run_id, status.value, message)
    return run


async def fail_run(
    bus: Bus,
    run_id: str,
    stage: Stage,
    reason: str,
    *,
    code: FailureCode = FailureCode.ERROR,
    task_id: str | None = None,
    output_tail: str = "",
    unless: Callable[[RunState], bool] | None = None,
) -> RunState | None:
    """Mark the run failed (stop-on-error) with the stage, task, code, reason, last output
    (not when `unless(run)`: see `end_run`)."""
    failure = Failure(
        stage=stage,
        task_id=task_id,
        code=code,
        reason=reason,
        output_tail=output_tail[-OUTPUT_TAIL_CHARS:],
    )
    return await end_run(
        bus,
        run_id,
        RunStatus.FAILED,
        lambda run: RunFailedData(
            **failure.model_dump(), usage=run.usage, pull_request=run.pull_request
        ),
        f"run failed at {stage.value}: {reason}",
        updates={"failure": failure},
        stage=stage,
        task_id=task_id,
        unless=unless,
    )


async def complete_run(bus: Bus, run_id: str, message: str) -> RunState | None:
    """Mark the run completed."""
    return await end_run(
        bus,
        run_id,
        RunStatus.COMPLETED,
        lambda run: RunCompletedData(usage=run.usage, pull_request=run.pull_request),
        message,
        updates={"current": None},
    )


async def block_run(bus: Bus, run_id: str, blocked: list[BlockedTask]) -> RunState | None:
    """End the run as blocked: open tasks remain, none is selectable; say what each waits for."""
    waits = "; ".join(f"{b.task_id}: {b.reason}" for b in blocked[:5])
    return await end_run(
        bus,
        run_id,
        RunStatus.BLOCKED,
        lambda run: RunBlockedData(blocked=blocked, usage=run.usage, pull_request=run.pull_request),
        f"no open task is selectable ({waits})",
        updates={"current": None, "blocked": blocked},
        stage=Stage.SELECT,
    )


async def cancel_run(bus: Bus, run_id: str, actor: str) -> RunState | None:
    """Mark the run cancelled; stages notice, kill what they run and drop the work."""
    return await end_run(
        bus,
        run_id,
        RunStatus.CANCELLED,
        lambda run: RunCancelledData(usage=run.usage, pull_request=run.pull_request),
        f"run cancelled by {actor}",
    )


STAGE_ORDER = {Stage.PREP: 1, Stage.IMPLEMENT: 2, Stage.VERIFY: 3, Stage.COMPLETE: 4}


def _moved_past(current: CurrentTask | None, task_id: str, attempt: int, order: int) -> bool:
    """The one staleness rule: the run is on another task, a later attempt of this one, or a
    stage of this attempt later than `order`."""
    if current is None or current.id != task_id:
        return True
    if current.attempt != attempt:
        return current.attempt > attempt
    return STAGE_ORDER.get(current.stage, 0) > order


def behind(current: CurrentTask | None, target: CurrentTask) -> bool:
    """True when moving the run to `target` would move it back (a late duplicate finishing).
    The same position is not behind: a redelivery after a crash between recording the next
    stage and publishing its command must be able to do both again."""
    return _moved_past(current, target.id, target.attempt, STAGE_ORDER[target.stage])


def is_stale(run: RunState, cmd: TaskCommand, stage: Stage) -> bool:
    """True when the run has moved past what this `stage` command's handler would record next
    (the stage after it): `behind`'s rule, seen from the command. One stage further is
    therefore not stale, for the same reason the same position is not behind."""
    return _moved_past(run.current, cmd.task.id, cmd.attempt, STAGE_ORDER[stage] + 1)


async def advance(
    bus: Bus,
    cmd: TaskCommand,
    stage: Stage,
    attempt: int | None = None,
    record: AttemptRecord | None = None,
) -> RunState | None:
    """Record that the run is now at `stage` of the command's task (attempt as in the command
    unless given), and `record` the attempt that led there in the same update; returns the
    run, or None when nothing changes: it is gone, terminal, or already past that point.

    Two deliveries of one IMPLEMENT attempt (a redelivery while the first still worked) may
    both finish: the first change recorded wins (see `with_attempt`); the caller finds the
    winner with `recorded_change`.
    """
    current = CurrentTask(
        id=cmd.task.id, title=cmd.task.title, stage=stage, attempt=attempt or cmd.attempt
    )

    def change(run: RunState) -> RunState | None:
        if run.state.terminal or behind(run.current, current):
            return None
        moved = run.model_copy(update={"state": RunStatus.RUNNING, "current": current})
        return with_attempt(moved, record) if record is not None else moved

    run = await RunStore(bus).update(cmd.run_id, change)
    if run is None or run.state.terminal or run.current != current:
        return None
    if record is not None:
        await UsageStore(bus).record(run)
    return run


def recorded_change(run: RunState, task_id: str, attempt: int) -> AttemptRecord | None:
    """The run's record of that attempt when it made a usable change (`changed`)."""
    for record in run.attempts:
        if (record.task_id, record.attempt) == (task_id, attempt):
            return record if record.code is AttemptCode.CHANGED else None
    return None


def with_attempt(run: RunState, record: AttemptRecord) -> RunState:
    """The run with `record` added: the newer record of a redelivered attempt replaces the
    older (always among the kept ones: it is the run's latest), only the last `ATTEMPTS_KEPT`
    are kept, and the run's usage is kept by difference, so dropped attempts still count.

    Except that a recorded change is never replaced by another outcome of the same attempt
    (a duplicate delivery finishing later): the run went on with that commit. The later
    one's usage is added all the same: its tokens were spent.
    """
    key = (record.task_id, record.attempt)
    first = recorded_change(run, *key)
    if first is not None and first.head_sha != record.head_sha:
        return run.model_copy(update={"usage": run.usage + record.usage})
    replaced = [a for a in run.attempts if (a.task_id, a.attempt) == key]
    usage = run.usage - total([a.usage for a in replaced]) + record.usage
    kept = [a for a in run.attempts if (a.task_id, a.attempt) != key]
    attempts = [*kept, record][-ATTEMPTS_KEPT:]
    count = run.attempts_total + (0 if replaced else 1)
    return run.model_copy(update={"attempts": attempts, "attempts_total": count, "usage": usage})


async def record_attempt(bus: Bus, run_id: str, record: AttemptRecord) -> RunState | None:
    """Store an attempt that leads nowhere (it failed, or its run was cancelled meanwhile):
    recorded even on a run that has ended, so its reason code and usage are never lost."""
    run = await RunStore(bus).update(run_id, lambda r: with_attempt(r, record))
    if run is not None:
        await UsageStore(bus).record(run)
    return run


STEP_KEYS_KEPT = 50


def step_label(stage: Stage, attempt: int) -> str:
    """How a step call is remembered in `RunState.step_keys`: `implement/2`."""
    return f"{stage.value}/{attempt}"


async def hand_on(
    bus: Bus, run: RunState, cmd: TaskCommand, stage: Stage, next_cmd: TaskCommand, why: str = ""
) -> None:
    """Publish the command of the next `stage`; in step mode park it in the run instead and
    pause until the client calls that step (`POST /v1/projects/{id}/<stage>`).

    A redelivered command of a step the client already moved past parks nothing."""
    if run.mode is not RunMode.STEP:
        await publish_command(bus, stage, next_cmd)
        return
    label = step_label(stage, next_cmd.attempt)
    parked = parked_step(stage, next_cmd)

    def change(r: RunState) -> RunState | None:
        if r.state.terminal or label in r.step_keys.values():
            return None
        return r.model_copy(update={"state": RunStatus.PAUSED, "next_step": stage,
                                    "parked": parked, "paused_reason": why or None})  # fmt: skip

    paused = await RunStore(bus).update(run.id, change)
    if paused is None or paused.state is not RunStatus.PAUSED or paused.next_step is not stage:
        return
    await publish_event(
        bus,
        paused,
        RunPausedData(next_step=stage, reason=why or None),
        stage=stage,
        task_id=cmd.task.id,
        attempt=next_cmd.attempt,
        message=f"paused before {stage.value} of {cmd.task.id}" + (f": {why}" if why else ""),
        dedup_id=f"paused-{label}",
    )
