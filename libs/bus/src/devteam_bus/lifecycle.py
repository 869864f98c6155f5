"""Terminal transitions of a run, shared by every stage: fail, complete."""

import logging

from devteam_bus.connection import Bus
from devteam_bus.publish import publish_event
from devteam_bus.runstore import RunStore
from devteam_contracts.events import EventType
from devteam_contracts.runs import CurrentTask, Failure, RunState, RunStatus
from devteam_contracts.subjects import Stage

log = logging.getLogger(__name__)

OUTPUT_TAIL_CHARS = 4000


async def fail_run(
    bus: Bus,
    run_id: str,
    stage: Stage,
    reason: str,
    *,
    task_id: str | None = None,
    output_tail: str = "",
) -> RunState | None:
    """Mark the run failed (stop-on-error), release its project and publish `run.failed`.

    A run that is already terminal keeps its state; the call is then a no-op.
    """
    failure = Failure(
        stage=stage, task_id=task_id, reason=reason, output_tail=output_tail[-OUTPUT_TAIL_CHARS:]
    )

    def change(run: RunState) -> RunState | None:
        if run.state.terminal:
            return None
        return run.model_copy(update={"state": RunStatus.FAILED, "failure": failure})

    runs = RunStore(bus)
    run = await runs.update(run_id, change)
    if run is None or run.state is not RunStatus.FAILED:
        return run
    await publish_event(
        bus,
        run,
        EventType.RUN_FAILED,
        stage=stage,
        task_id=task_id,
        message=f"run failed at {stage.value}: {reason}",
        data=failure.model_dump(mode="json"),
        dedup_id="run.failed",
    )
    await runs.release_project(run.tenant, run.project_id, run.id)
    log.info("run %s failed at %s: %s", run_id, stage.value, reason)
    return run


async def complete_run(bus: Bus, run_id: str, message: str) -> RunState | None:
    """Mark the run completed, release its project and publish `run.completed`."""

    def change(run: RunState) -> RunState | None:
        if run.state.terminal:
            return None
        return run.model_copy(update={"state": RunStatus.COMPLETED, "current": None})

    runs = RunStore(bus)
    run = await runs.update(run_id, change)
    if run is None or run.state is not RunStatus.COMPLETED:
        return run
    await publish_event(
        bus,
        run,
        EventType.RUN_COMPLETED,
        message=message,
        data={"tasks_done": [t.id for t in run.tasks_done]},
        dedup_id="run.completed",
    )
    await runs.release_project(run.tenant, run.project_id, run.id)
    return run


async def cancel_run(bus: Bus, run_id: str, actor: str) -> RunState | None:
    """Mark the run cancelled, release its project and publish `run.cancelled`.

    Stages notice the state change, kill what they run and drop the work.
    """

    def change(run: RunState) -> RunState | None:
        if run.state.terminal:
            return None
        return run.model_copy(update={"state": RunStatus.CANCELLED})

    runs = RunStore(bus)
    run = await runs.update(run_id, change)
    if run is None or run.state is not RunStatus.CANCELLED:
        return run
    await publish_event(
        bus,
        run,
        EventType.RUN_CANCELLED,
        message=f"run cancelled by {actor}",
        data={"current": run.current.model_dump(mode="json") if run.current else None},
        dedup_id="run.cancelled",
    )
    await runs.release_project(run.tenant, run.project_id, run.id)
    return run


async def set_current(
    bus: Bus, run_id: str, task_id: str, title: str, stage: Stage, attempt: int
) -> RunState | None:
    """Record that the run is at `stage` of a task (and running); no-op on a terminal run."""
    current = CurrentTask(id=task_id, title=title, stage=stage, attempt=attempt)

    def change(run: RunState) -> RunState | None:
        if run.state.terminal:
            return None
        return run.model_copy(update={"state": RunStatus.RUNNING, "current": current})

    return await RunStore(bus).update(run_id, change)
