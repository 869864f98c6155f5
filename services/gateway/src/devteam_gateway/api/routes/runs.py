"""`/v1/projects/{id}/runs` and `/v1/runs/{id}`: start runs and read their state."""

import hashlib
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, status
from nats.js.errors import KeyWrongLastSequenceError

from devteam_bus.admission import AdmissionStore, start_admitted
from devteam_bus.lifecycle import cancel_run
from devteam_bus.publish import publish_audit, publish_event
from devteam_bus.runstore import RunStore, now
from devteam_contracts.admission import QueueFullError
from devteam_contracts.events import EventType
from devteam_contracts.ids import is_safe_id, new_run_id
from devteam_contracts.runs import RunAccepted, RunCreate, RunState, RunStatus
from devteam_gateway.deps import BusDep, PrincipalDep, find_project

router = APIRouter(prefix="/v1", tags=["runs"])
# What a 429 (the tenant's queue is full) suggests: about how long a slot takes to free.
QUEUE_FULL_RETRY_AFTER_S = 30


def run_id_for(tenant: str, project_id: str, idempotency_key: str | None) -> str:
    """A fresh run id, or one derived from the `Idempotency-Key` so a retried POST is a no-op."""
    if not idempotency_key:
        return new_run_id()
    digest = hashlib.sha256(f"{tenant}\0{project_id}\0{idempotency_key}".encode()).hexdigest()
    return "run-" + digest[:12]


@router.post("/projects/{project_id}/runs", status_code=status.HTTP_202_ACCEPTED)
async def start_run(
    project_id: str,
    body: RunCreate,
    bus: BusDep,
    who: PrincipalDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> RunAccepted:
    """Queue a run of the project: it starts at once when its tenant and the service have a
    free slot, else it waits in `queued` (round-robin between tenants, FIFO within one).
    409 while another run of the project is active; 429 (with `Retry-After`) when the
    tenant's queue is full."""
    await find_project(bus, who, project_id)
    runs = RunStore(bus)
    run_id = run_id_for(who.tenant, project_id, idempotency_key)
    existing = await runs.get(run_id)
    if existing is not None:
        return RunAccepted(run_id=existing.id, state=existing.state)
    holder = await runs.acquire_project(who.tenant, project_id, run_id)
    if holder is not None:
        # A lock left by a run that ended without releasing it (a crash in between) is stale.
        held_by = await runs.get(holder)
        if held_by is None or held_by.state.terminal:
            await runs.release_project(who.tenant, project_id, holder)
            holder = await runs.acquire_project(who.tenant, project_id, run_id)
    if holder is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"run {holder} of this project is still active"
        )
    # Queued before its state is stored: the admission record is what counts active runs
    # (a crash in between leaves an entry the admission keeper releases).
    try:
        admitted = await AdmissionStore(bus).enqueue(run_id, who.tenant, project_id)
    except QueueFullError as exc:
        await runs.release_project(who.tenant, project_id, run_id)
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            str(exc),
            headers={"Retry-After": str(QUEUE_FULL_RETRY_AFTER_S)},
        ) from exc
    at = now()
    run = RunState(
        id=run_id,
        tenant=who.tenant,
        project_id=project_id,
        mode=body.mode,
        state=RunStatus.QUEUED,
        max_tasks=body.max_tasks,
        created_at=at,
        updated_at=at,
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
        EventType.RUN_QUEUED,
        message=f"{body.mode.value} run queued",
        data={"mode": body.mode.value},
        dedup_id="queued",
    )
    await start_admitted(bus, admitted)
    await publish_audit(
        bus,
        who.tenant,
        f"token:{who.token_id}",
        "run.start",
        run_id,
        "queued",
        {"project_id": project_id, "mode": body.mode.value},
    )
    return RunAccepted(run_id=run_id, state=run.state)


@router.get("/runs/{run_id}")
async def get_run(run_id: str, bus: BusDep, who: PrincipalDep) -> RunState:
    """The run's state, tasks done, current task and stage, and failure if any; while it
    waits for admission, its position and the cap it waits on."""
    run = await RunStore(bus).get(run_id) if is_safe_id(run_id) else None
    if run is None or run.tenant != who.tenant:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "run not found")
    if run.state is RunStatus.QUEUED:
        run = run.model_copy(update={"queue": await AdmissionStore(bus).info(run_id)})
    return run


@router.post("/runs/{run_id}/cancel")
async def cancel(run_id: str, bus: BusDep, who: PrincipalDep) -> RunState:
    """Cancel a queued or running run; a running Aider or check is killed. Idempotent."""
    await get_run(run_id, bus, who)  # 404 unless the caller's
    run = await cancel_run(bus, run_id, f"token:{who.token_id}")
    assert run is not None
    await publish_audit(
        bus, who.tenant, f"token:{who.token_id}", "run.cancel", run_id, run.state.value
    )
    return run
