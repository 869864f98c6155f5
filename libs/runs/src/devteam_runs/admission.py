"""The admission record in its bucket (compare-and-set), and starting what it admits.

A run is queued before its state exists and released when it ends, so the record is the one
place that knows how many runs are active; `AdmissionKeeper` repairs what a crash between two
of those steps leaves (an entry without a run, an admitted run whose start was lost).
"""

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from nats.js.errors import KeyNotFoundError

from devteam_bus.connection import Bus
from devteam_bus.kv import CAS_ATTEMPTS, compare_and_set, now
from devteam_bus.periodic import repeat
from devteam_bus.publish import publish_command, publish_event
from devteam_contracts.admission import (
    AdmissionLimits,
    AdmissionState,
    Entry,
    QueueInfo,
    enqueue,
    queue_info,
    release,
)
from devteam_contracts.commands import SelectCommand
from devteam_contracts.event_data import RunAdmittedData
from devteam_contracts.runs import RunStatus
from devteam_contracts.subjects import BUCKET_ADMISSION, Stage
from devteam_runs.run_store import RunStore
from devteam_runs.settings import RunSettings

log = logging.getLogger(__name__)

KEY = "state"
Change = Callable[[AdmissionState], tuple[AdmissionState, list[Entry]]]


class AdmissionStore:
    """Queue, release and look up runs in the admission record."""

    def __init__(self, bus: Bus, limits: AdmissionLimits | None = None) -> None:
        self._bus = bus
        self.limits = limits or RunSettings().limits()

    async def _read(self) -> tuple[AdmissionState, int | None]:
        kv = await self._bus.js.key_value(BUCKET_ADMISSION)
        try:
            entry = await kv.get(KEY)
        except KeyNotFoundError:
            return AdmissionState(), None
        if not entry.value:
            return AdmissionState(), entry.revision
        return AdmissionState.model_validate_json(entry.value), entry.revision

    async def state(self) -> AdmissionState:
        """The current record."""
        return (await self._read())[0]

    async def _change(self, change: Change) -> list[Entry]:
        kv = await self._bus.js.key_value(BUCKET_ADMISSION)

        async def attempt() -> list[Entry]:
            state, revision = await self._read()
            new, admitted = change(state)
            if new == state:
                return admitted
            data = new.model_dump_json().encode()
            if revision is None:
                await kv.create(KEY, data)
            else:
                await kv.update(KEY, data, last=revision)
            return admitted

        # every start and end of a run writes here: more races than on one run
        return await compare_and_set("admission", attempt, CAS_ATTEMPTS * 5)

    async def enqueue(self, run_id: str, tenant: str, project_id: str) -> list[Entry]:
        """Queue a run; returns the runs admitted by it (the run itself when a slot was free).
        `QueueFullError` when the tenant's queue is full."""
        entry = Entry(run_id=run_id, tenant=tenant, project_id=project_id, at=now())
        return await self._change(lambda s: enqueue(s, entry, self.limits))

    async def release(self, run_id: str) -> list[Entry]:
        """Forget an ended run; returns the runs admitted into the freed slot."""
        return await self._change(lambda s: release(s, run_id, self.limits, now()))

    async def info(self, run_id: str) -> QueueInfo | None:
        """Where a waiting run stands, or None when it is not waiting."""
        return queue_info(await self.state(), run_id, self.limits)


async def start_admitted(bus: Bus, admitted: list[Entry]) -> None:
    """Start admitted runs: `run.admitted`, then their first SELECT (both deduplicated, so a
    repeat is harmless)."""
    for entry in admitted:
        run = await RunStore(bus).get(entry.run_id)
        if run is None or run.state.terminal:
            continue  # not stored yet (its start request stores it, then starts it) or ended
        waited = max(0.0, (entry.at - run.created_at).total_seconds())
        await publish_event(
            bus,
            run,
            RunAdmittedData(queued_s=round(waited, 3)),
            message=f"run admitted after {waited:.1f} s in the queue",
            dedup_id="admitted",
        )
        await publish_command(
            bus,
            Stage.SELECT,
            SelectCommand(
                run_id=entry.run_id, tenant=entry.tenant, project_id=entry.project_id, selection=1
            ),
        )


class AdmissionKeeper:
    """Repairs the admission record every `every_s`: an entry whose run never got stored
    (a crash between queueing and storing) or has ended is released; an admitted run still
    `queued` after `grace_s` gets its start again (deduplicated)."""

    def __init__(
        self,
        bus: Bus,
        limits: AdmissionLimits | None = None,
        every_s: float = 5.0,
        grace_s: float = 30.0,
    ) -> None:
        self.bus = bus
        self.limits = limits
        self.every_s = every_s
        self.grace_s = grace_s

    async def run(self, stop: asyncio.Event) -> None:
        """Check, then wait, until `stop`."""
        await repeat(stop, self.every_s, self.check, "admission check")

    async def check(self) -> None:
        """One round of repairs."""
        store, runs = AdmissionStore(self.bus, self.limits), RunStore(self.bus)
        state = await store.state()
        cutoff = now() - timedelta(seconds=self.grace_s)
        active = {e.run_id for e in state.active}
        for entry in (*state.active, *state.queued):
            run = await runs.get(entry.run_id)
            if (run is None and entry.at < cutoff) or (run is not None and run.state.terminal):
                log.warning("admission: releasing %s (run %s)", entry.run_id,
                            "missing" if run is None else run.state.value)  # fmt: skip
                await start_admitted(self.bus, await store.release(entry.run_id))
            elif (
                entry.run_id in active
                and run is not None
                and run.state is RunStatus.QUEUED
                and run.selections == 0
                and entry.at < cutoff
            ):
                await start_admitted(self.bus, [entry])  # admitted, but its start was lost
