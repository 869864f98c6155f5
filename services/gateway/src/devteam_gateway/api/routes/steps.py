"""Step mode: a frontend drives one task a stage at a time.

`POST /v1/projects/{id}/prep` starts a `step` run (SELECT and PREP run, then it pauses with
`next_step: implement`); `/implement` runs IMPLEMENT (then it pauses with `next_step:
verify`); `/verify` runs VERIFY: passing checks land the task and complete the run, failing
ones pause it again with the failure, and the next `/implement` is the repair. A call out of
order is a 409 naming the expected step; every call is idempotent with `Idempotency-Key`.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, status

from devteam_bus.connection import Bus
from devteam_bus.publish import publish_audit, publish_command
from devteam_contracts.audit import StepTaken
from devteam_contracts.runs import (
    RunAccepted,
    RunCreate,
    RunMode,
    RunState,
    RunStatus,
    StepCall,
    StepStart,
)
from devteam_contracts.subjects import Stage
from devteam_gateway.api.routes.runs import get_run, queue_run, within_budget
from devteam_gateway.auth import Principal
from devteam_gateway.deps import BusDep, PrincipalDep, find_project
from devteam_runs.run_store import RunStore
from devteam_runs.transitions import STEP_KEYS_KEPT, step_label

router = APIRouter(prefix="/v1/projects", tags=["steps"])
KeyHeader = Annotated[str | None, Header(max_length=200)]


@router.post("/{project_id}/prep", status_code=status.HTTP_202_ACCEPTED)
async def prep(
    project_id: str,
    body: StepStart,
    bus: BusDep,
    who: PrincipalDep,
    idempotency_key: KeyHeader = None,
) -> RunAccepted:
    """Start a step-mode run for `task_id` (default: the next selectable task); it pauses
    after PREP with `next_step: implement`. A task that cannot be picked now fails the run
    with `task_not_selectable` and the reason."""
    await find_project(bus, who, project_id)
    return await queue_run(bus, who, project_id, RunCreate(mode=RunMode.STEP),
                           idempotency_key, task_id=body.task_id)  # fmt: skip


@router.post("/{project_id}/implement", status_code=status.HTTP_202_ACCEPTED)
async def implement(
    project_id: str,
    body: StepCall,
    bus: BusDep,
    who: PrincipalDep,
    idempotency_key: KeyHeader = None,
) -> RunAccepted:
    """Run IMPLEMENT on the paused run (a repair, with the failed check, after a failed
    `/verify`); it pauses again with `next_step: verify`."""
    return await take_step(bus, who, project_id, body.run_id, Stage.IMPLEMENT, idempotency_key)


@router.post("/{project_id}/verify", status_code=status.HTTP_202_ACCEPTED)
async def verify(
    project_id: str,
    body: StepCall,
    bus: BusDep,
    who: PrincipalDep,
    idempotency_key: KeyHeader = None,
) -> RunAccepted:
    """Run VERIFY on the paused run: passing checks land the task (tick, one commit,
    integrate, push) and complete the run; failing ones pause it with the failure."""
    return await take_step(bus, who, project_id, body.run_id, Stage.VERIFY, idempotency_key)


def expected(run: RunState) -> str:
    if run.state is RunStatus.PAUSED and run.next_step is not None:
        return f"the expected step is {run.next_step.value}"
    return f"no step is expected: the run is {run.state.value}" + (
        f" ({run.current.stage.value} of task {run.current.id})"
        if run.current and run.state is RunStatus.RUNNING
        else ""
    )


async def take_step(
    bus: Bus, who: Principal, project_id: str, run_id: str, stage: Stage, key: str | None
) -> RunAccepted:
    """Publish the command the paused run parked for `stage`, then mark the step taken."""
    run = await get_run(run_id, bus, who)
    if run.project_id != project_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "run not found")
    if key and key in run.step_keys:  # a retried call: the same answer
        if not run.step_keys[key].startswith(f"{stage.value}/"):
            raise HTTPException(status.HTTP_409_CONFLICT, "this Idempotency-Key was used for "
                                f"{run.step_keys[key]}")  # fmt: skip
        return RunAccepted(run_id=run.id, state=run.state)
    if run.mode is not RunMode.STEP:
        raise HTTPException(status.HTTP_409_CONFLICT, f"run {run.id} is a {run.mode.value} run")
    parked = run.parked
    if run.state is not RunStatus.PAUSED or parked is None or parked.stage is not stage:
        raise HTTPException(status.HTTP_409_CONFLICT, f"not {stage.value}: {expected(run)}")
    await within_budget(bus, who.tenant)
    cmd = parked.command
    # Published first (its message id makes a second publish a no-op), then recorded: a
    # crash in between leaves a run whose stage goes on anyway.
    await publish_command(bus, stage, cmd)
    label = step_label(stage, cmd.attempt)
    taken = key or f"auto-{uuid.uuid4().hex[:12]}"

    def change(r: RunState) -> RunState | None:
        if r.state is not RunStatus.PAUSED or r.next_step is not stage:
            return None  # a concurrent call took the step
        keys = dict(list({**r.step_keys, taken: label}.items())[-STEP_KEYS_KEPT:])
        update = {"state": RunStatus.RUNNING, "next_step": None, "parked": None,
                  "paused_reason": None, "step_keys": keys}  # fmt: skip
        return r.model_copy(update=update)

    updated = await RunStore(bus).update(run.id, change) or run
    await publish_audit(bus, who.tenant, f"token:{who.token_id}", f"run.step.{stage.value}",
                        run.id, updated.state.value, StepTaken(attempt=cmd.attempt))  # fmt: skip
    return RunAccepted(run_id=run.id, state=updated.state)
