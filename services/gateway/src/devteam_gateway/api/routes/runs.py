"""`/v1/projects/{id}/runs` and `/v1/runs/{id}`: start runs and read their state."""

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, status

from devteam_bus.connection import Bus
from devteam_bus.publish import publish_audit
from devteam_contracts.admission import QueueFullError
from devteam_contracts.ids import is_safe_id
from devteam_contracts.runs import RunAccepted, RunCreate, RunPage, RunState, RunStatus
from devteam_gateway.auth import Principal
from devteam_gateway.deps import BusDep, PrincipalDep, find_project
from devteam_runs import launch
from devteam_runs.admission import AdmissionStore
from devteam_runs.run_store import RunStore, run_ids
from devteam_runs.transitions import cancel_run
from devteam_tenants.budgets import BudgetStore

router = APIRouter(prefix="/v1", tags=["runs"])
# What a 429 (the tenant's queue is full) suggests: about how long a slot takes to free.
QUEUE_FULL_RETRY_AFTER_S = 30


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
    return await queue_run(bus, who, project_id, body, idempotency_key)


async def queue_run(
    bus: Bus,
    who: Principal,
    project_id: str,
    body: RunCreate,
    idempotency_key: str | None,
    task_id: str | None = None,
) -> RunAccepted:
    """`devteam_runs.launch.queue_run` with its refusals as problems: 402, 409, 429."""
    await within_budget(bus, who.tenant)
    try:
        return await launch.queue_run(bus, who.tenant, f"token:{who.token_id}", project_id,
                                        body, idempotency_key, task_id=task_id)  # fmt: skip
    except (launch.ProjectBusyError, QueueFullError) as exc:
        raise refusal(exc) from exc


async def within_budget(bus: Bus, tenant: str) -> None:
    """402 when the tenant has spent this month's budget: no new run, no further step."""
    spent, _left = await BudgetStore(bus).spent(tenant)
    if spent:
        raise HTTPException(
            status.HTTP_402_PAYMENT_REQUIRED,
            f"{spent}; the budget resets at the start of the next calendar month (UTC)",
        )


def refusal(exc: Exception) -> HTTPException:
    """A full queue is a 429 with `Retry-After`; a busy project or a run that cannot resume
    a 409."""
    if isinstance(exc, QueueFullError):
        retry = {"Retry-After": str(QUEUE_FULL_RETRY_AFTER_S)}
        return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, str(exc), headers=retry)
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


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


@router.post("/runs/{run_id}/resume", status_code=status.HTTP_202_ACCEPTED)
async def resume(
    run_id: str,
    bus: BusDep,
    who: PrincipalDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> RunAccepted:
    """Start a failed, blocked or cancelled run again as a new run of the same mode (linked
    by `resumed_from`): it begins at the first open task of the task list as it is now on
    the target branch, so tasks the old run landed are not done again. 409 for a run that
    is still going or completed. A retry (same `Idempotency-Key`, or none) is a no-op."""
    old = await get_run(run_id, bus, who)
    await find_project(bus, who, old.project_id)  # the project may have been deleted
    await within_budget(bus, who.tenant)
    try:
        return await launch.resume_run(bus, old, f"token:{who.token_id}", idempotency_key)
    except (launch.NotResumableError, launch.ProjectBusyError, QueueFullError) as exc:
        raise refusal(exc) from exc


async def list_runs(
    bus: Bus, who: Principal, project_id: str | None, state: RunStatus | None, offset: int,
    limit: int,
) -> RunPage:  # fmt: skip
    store = RunStore(bus)
    found = []
    for rid in await run_ids(bus, who.tenant, project_id):
        run = await store.get(rid)
        if run is not None and run.tenant == who.tenant and (state is None or run.state is state):
            found.append(run)
    found.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    more = offset + limit < len(found)
    return RunPage(items=found[offset : offset + limit], total=len(found),
                   next_offset=offset + limit if more else None)  # fmt: skip


@router.get("/runs")
async def tenant_runs(
    bus: BusDep,
    who: PrincipalDep,
    state: RunStatus | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RunPage:
    """The caller's runs over every project, newest first (filter by `state`)."""
    return await list_runs(bus, who, None, state, offset, limit)


@router.get("/projects/{project_id}/runs")
async def project_runs(
    project_id: str,
    bus: BusDep,
    who: PrincipalDep,
    state: RunStatus | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RunPage:
    """The project's runs, newest first (filter by `state`)."""
    await find_project(bus, who, project_id)
    return await list_runs(bus, who, project_id, state, offset, limit)
