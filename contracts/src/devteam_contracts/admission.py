"""Admission: caps on active runs per tenant and in all, a FIFO queue per tenant, and tenants
admitted round-robin (the tenant served longest ago first), so a tenant with many queued runs
never delays another tenant's first run by more than one slot.

The state is one record in the admission bucket, changed by compare-and-set; the functions
here are pure (they return a new state and what it admitted).
"""

from collections import Counter
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from devteam_contracts.base import Strict
from devteam_contracts.ids import ProjectId, RunId, TenantId


class AdmissionLimits(Strict):
    """What operators set: `DEVTEAM_MAX_ACTIVE_RUNS`, `DEVTEAM_TENANT_MAX_ACTIVE_RUNS`,
    `DEVTEAM_TENANT_MAX_QUEUED_RUNS`."""

    max_active: int = Field(default=16, ge=1, description="Active runs of all tenants.")
    tenant_max_active: int = Field(default=8, ge=1, description="Active runs of one tenant.")
    tenant_max_queued: int = Field(default=100, ge=0, description="Waiting runs of one tenant.")


class Entry(Strict):
    """A run the admission knows: waiting, or admitted and not ended yet."""

    run_id: RunId
    tenant: TenantId
    project_id: ProjectId
    at: datetime = Field(description="When it was queued (waiting) or admitted (active).")


class AdmissionState(Strict):
    """The admission record."""

    active: list[Entry] = Field(default_factory=list)
    queued: list[Entry] = Field(default_factory=list, description="In order of arrival.")
    served: dict[str, int] = Field(
        default_factory=dict,
        description="Tenant → sequence number of its last admission (kept while it has runs).",
    )
    admissions: int = Field(default=0, ge=0, description="Admissions so far (the sequence).")

    def knows(self, run_id: str) -> bool:
        """True when the run is waiting or active."""
        return any(e.run_id == run_id for e in (*self.active, *self.queued))


class WaitingOn(StrEnum):
    """The cap a queued run waits on."""

    TENANT_CAP = "tenant_cap"
    GLOBAL_CAP = "global_cap"


class QueueInfo(Strict):
    """Where a queued run stands (`GET /v1/runs/{id}` while it waits)."""

    position: int = Field(ge=1, description="1: the next run to be admitted of all waiting.")
    waiting_on: WaitingOn
    tenant_active: int
    tenant_max_active: int
    active: int
    max_active: int


class QueueFullError(Exception):
    """The tenant has as many waiting runs as it may."""

    def __init__(self, tenant: str, queued: int) -> None:
        super().__init__(
            f"tenant {tenant} already has {queued} queued run(s), its limit; "
            "retry when one has started"
        )


def admit(
    state: AdmissionState, limits: AdmissionLimits, at: datetime
) -> tuple[AdmissionState, list[Entry]]:
    """Admit waiting runs while slots are free; returns the new state and the admitted runs.

    Round-robin between tenants: the next slot goes to the tenant under its cap that was
    served longest ago (never served first; ties: who has waited longest), FIFO within it.
    """
    active, queued = list(state.active), list(state.queued)
    served, count = dict(state.served), state.admissions
    per_tenant = Counter(e.tenant for e in active)
    admitted: list[Entry] = []
    while len(active) < limits.max_active:
        heads: dict[str, Entry] = {}
        for entry in queued:
            heads.setdefault(entry.tenant, entry)
        eligible = [t for t in heads if per_tenant[t] < limits.tenant_max_active]
        if not eligible:
            break
        tenant = min(eligible, key=lambda t: (served.get(t, -1), heads[t].at))
        queued.remove(heads[tenant])
        started = heads[tenant].model_copy(update={"at": at})
        active.append(started)
        admitted.append(started)
        per_tenant[tenant] += 1
        count += 1
        served[tenant] = count
    tenants = {e.tenant for e in (*active, *queued)}
    new = AdmissionState(
        active=active,
        queued=queued,
        served={t: n for t, n in served.items() if t in tenants},
        admissions=count,
    )
    return new, admitted


def enqueue(
    state: AdmissionState, entry: Entry, limits: AdmissionLimits
) -> tuple[AdmissionState, list[Entry]]:
    """Queue a run (a repeat is a no-op) and admit what can be; `QueueFullError` when the
    tenant's queue is full and the run could not start at once."""
    if state.knows(entry.run_id):
        return state, []
    waiting = sum(1 for e in state.queued if e.tenant == entry.tenant)
    new, admitted = admit(
        state.model_copy(update={"queued": [*state.queued, entry]}), limits, entry.at
    )
    started = any(a.run_id == entry.run_id for a in admitted)
    if waiting >= limits.tenant_max_queued and not started:
        raise QueueFullError(entry.tenant, waiting)
    return new, admitted


def release(
    state: AdmissionState, run_id: str, limits: AdmissionLimits, at: datetime
) -> tuple[AdmissionState, list[Entry]]:
    """Forget an ended (or cancelled while waiting) run and admit into the freed slot."""
    if not state.knows(run_id):
        return admit(state, limits, at)
    rest = state.model_copy(
        update={
            "active": [e for e in state.active if e.run_id != run_id],
            "queued": [e for e in state.queued if e.run_id != run_id],
        }
    )
    return admit(rest, limits, at)


def queue_info(state: AdmissionState, run_id: str, limits: AdmissionLimits) -> QueueInfo | None:
    """Where a waiting run stands: its place in the order runs would be admitted (round-robin
    between tenants, FIFO within one, as slots free), and the cap it waits on."""
    entry = next((e for e in state.queued if e.run_id == run_id), None)
    if entry is None:
        return None
    # The admission order if every slot were free: round-robin from the current state.
    unlimited = AdmissionLimits(
        max_active=len(state.active) + len(state.queued),
        tenant_max_active=len(state.active) + len(state.queued),
        tenant_max_queued=limits.tenant_max_queued,
    )
    _, order = admit(state, unlimited, entry.at)
    position = next(i for i, e in enumerate(order, 1) if e.run_id == run_id)
    tenant_active = sum(1 for e in state.active if e.tenant == entry.tenant)
    waiting_on = (
        WaitingOn.TENANT_CAP if tenant_active >= limits.tenant_max_active else WaitingOn.GLOBAL_CAP
    )
    return QueueInfo(
        position=position,
        waiting_on=waiting_on,
        tenant_active=tenant_active,
        tenant_max_active=limits.tenant_max_active,
        active=len(state.active),
        max_active=limits.max_active,
    )
