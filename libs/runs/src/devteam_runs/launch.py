"""Starting runs, for the gateway and the operator's CLI alike: queue a new run (admitted
at once when a slot is free) and resume an ended one as a new, linked run."""

import hashlib

from nats.js.errors import KeyWrongLastSequenceError

from devteam_bus.connection import Bus
from devteam_bus.errors import BusError
from devteam_bus.kv import now
from devteam_bus.publish import publish_audit, publish_event
from devteam_contracts.admission import QueueFullError
from devteam_contracts.audit import RunQueuedDetail
from devteam_contracts.event_data import RunQueuedData
from devteam_contracts.ids import new_run_id
from devteam_contracts.runs import RunAccepted, RunCreate, RunState, RunStatus
from devteam_runs.admission import AdmissionStore, start_admitted
from devteam_runs.run_store import RunStore

RESUMABLE = frozenset({RunStatus.FAILED, RunStatus.BLOCKED, RunStatus.CANCELLED})
__all__ = ["QueueFullError"]


class ProjectBusyError(BusError):
    """Another run of the project is active."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"run {holder} of this project is still active")
        self.holder = holder


class NotResumableError(BusError):
    """Only failed, blocked or cancelled runs resume."""


def run_id_for(tenant: str, project_id: str, idempotency_key: str | None) -> str:
    """A fresh run id, or one derived from the `Idempotency-Key` so a retried POST is a no-op."""
    if not idempotency_key:
        return new_run_id()
    digest = hashlib.sha256(f"{tenant}\0{project_id}\0{idempotency_key}".encode()).hexdigest()
    return "run-" + digest[:12]


async def queue_run(
    bus: Bus,
    tenant: str,
    actor: str,
    project_id: str,
    body: RunCreate,
    idempotency_key: str | None,
    resumed_from: str | None = None,
    task_id: str | None = None,
) -> RunAccepted:
    """Store a new queued run of the project and admit it if a slot is free; a repeated
    `idempotency_key` answers with the run it made the first time. `ProjectBusyError` while
    another run of the project is active, `QueueFullError` when the tenant's queue is full."""
    runs = RunStore(bus)
    run_id = run_id_for(tenant, project_id, idempotency_key)
    existing = await runs.get(run_id)
    if existing is not None:
        return RunAccepted(run_id=existing.id, state=existing.state)
    holder = await runs.acquire_project(tenant, project_id, run_id)
    if holder is not None:
        # A lock left by a run that ended without releasing it (a crash in between) is stale.
        held_by = await runs.get(holder)
        if held_by is None or held_by.state.terminal:
            await runs.release_project(tenant, project_id, holder)
            holder = await runs.acquire_project(tenant, project_id, run_id)
    if holder is not None:
        raise ProjectBusyError(holder)
    # Queued before its state is stored: the admission record is what counts active runs
    # (a crash in between leaves an entry the admission keeper releases).
    try:
        admitted = await AdmissionStore(bus).enqueue(run_id, tenant, project_id)
    except QueueFullError:
        await runs.release_project(tenant, project_id, run_id)
        raise
    at = now()
    run = RunState(
        id=run_id,
        tenant=tenant,
        project_id=project_id,
        mode=body.mode,
        state=RunStatus.QUEUED,
        max_tasks=body.max_tasks,
        created_at=at,
        updated_at=at,
        resumed_from=resumed_from,
        task_id=task_id,
    )
    try:
        await runs.create(run)
    except KeyWrongLastSequenceError:  # a concurrent retry with the same key won
        stored = await runs.get(run_id)
        assert stored is not None
        return RunAccepted(run_id=stored.id, state=stored.state)
    await publish_event(
        bus,
        run,
        RunQueuedData(mode=body.mode, resumed_from=resumed_from),
        message=f"{body.mode.value} run queued"
        + (f" (resuming {resumed_from})" if resumed_from else ""),
        dedup_id="queued",
    )
    await start_admitted(bus, admitted)
    await publish_audit(
        bus,
        tenant,
        actor,
        "run.resume" if resumed_from else "run.start",
        run_id,
        "queued",
        RunQueuedDetail(project_id=project_id, mode=body.mode, resumed_from=resumed_from),
    )
    return RunAccepted(run_id=run_id, state=run.state)


async def resume_run(
    bus: Bus, old: RunState, actor: str, idempotency_key: str | None = None
) -> RunAccepted:
    """Start `old` (failed, blocked or cancelled) again as a new run of the same mode linked
    by `resumed_from`; it begins at the first open task of the list as it is now. Without a
    key, a retry (or a second click) returns the same new run."""
    if old.state not in RESUMABLE:
        raise NotResumableError(
            f"run {old.id} is {old.state.value}: only failed, blocked or cancelled runs resume"
        )
    body = RunCreate(mode=old.mode, max_tasks=old.max_tasks)
    key = idempotency_key or f"resume:{old.id}:{old.updated_at.isoformat()}"
    return await queue_run(bus, old.tenant, actor, old.project_id, body, key,
                           resumed_from=old.id, task_id=old.task_id)  # fmt: skip
