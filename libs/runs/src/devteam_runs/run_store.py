"""Run state in the runs bucket, changed only by compare-and-set on the entry's revision."""

import logging
from collections.abc import Callable

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError

from devteam_bus.connection import Bus
from devteam_bus.kv import compare_and_set, now
from devteam_contracts.runs import RunState
from devteam_contracts.subjects import (
    BUCKET_LOCKS,
    BUCKET_RUNS,
    STREAM_EVENTS,
    events_filter,
    parse_event_subject,
)

log = logging.getLogger(__name__)


class RunStore:
    """Read, create and update runs; one active run per project through the locks bucket."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def _read(self, run_id: str) -> tuple[RunState, int] | None:
        return await self._bus.retrying(lambda: self._read_once(run_id), f"reading {run_id}")

    async def _read_once(self, run_id: str) -> tuple[RunState, int] | None:
        kv = await self._bus.js.key_value(BUCKET_RUNS)
        try:
            entry = await kv.get(run_id)
        except KeyNotFoundError:
            return None
        if entry.value is None or entry.revision is None:
            return None
        return RunState.model_validate_json(entry.value), entry.revision

    async def get(self, run_id: str) -> RunState | None:
        """The run, or None when it does not exist."""
        found = await self._read(run_id)
        return found[0] if found else None

    async def create(self, run: RunState) -> None:
        """Store a new run; fails if the id is taken."""
        kv = await self._bus.js.key_value(BUCKET_RUNS)
        await kv.create(run.id, run.model_dump_json().encode())

    async def update(
        self, run_id: str, change: Callable[[RunState], RunState | None]
    ) -> RunState | None:
        """Apply `change` to the current state with compare-and-set, retrying on a lost race.

        `change` returns the new state, or None to leave the run as it is (e.g. it is already
        terminal); the stored state after the call is returned.
        """
        kv = await self._bus.retrying(lambda: self._bus.js.key_value(BUCKET_RUNS))

        async def attempt() -> RunState | None:
            found = await self._read(run_id)
            if found is None:
                return None
            current, revision = found
            new = change(current)
            if new is None:
                return current
            new = new.model_copy(update={"updated_at": now()})
            data = new.model_dump_json().encode()
            await self._bus.retrying(
                lambda: kv.update(run_id, data, last=revision), f"updating {run_id}"
            )
            return new

        return await compare_and_set(f"run {run_id}", attempt)

    async def acquire_project(self, tenant: str, project_id: str, run_id: str) -> str | None:
        """Take the project's run lock for `run_id`; returns the holder's run id if taken."""
        kv = await self._bus.js.key_value(BUCKET_LOCKS)
        key = f"{tenant}.{project_id}"
        try:
            await kv.create(key, run_id.encode())
            return None
        except KeyWrongLastSequenceError:
            entry = await kv.get(key)
            holder = (entry.value or b"").decode()
            if holder == run_id:
                return None
            return holder

    async def release_project(self, tenant: str, project_id: str, run_id: str) -> None:
        """Release the project's run lock if `run_id` holds it."""
        kv = await self._bus.js.key_value(BUCKET_LOCKS)
        key = f"{tenant}.{project_id}"
        try:
            entry = await kv.get(key)
        except KeyNotFoundError:
            return
        if (entry.value or b"").decode() == run_id:
            await kv.delete(key, last=entry.revision)


async def run_ids(bus: Bus, tenant: str | None, project_id: str | None = None) -> list[str]:
    """Ids of the runs (of a tenant, of a project, or all) that still have events: read from
    the events stream's subjects (`devteam.evt.<tenant>.<project>.<run>`), not by scanning
    every run's state."""
    subject = events_filter(tenant, project_id)
    info = await bus.js.stream_info(STREAM_EVENTS, subjects_filter=subject)
    parsed = (parse_event_subject(name) for name in (info.state.subjects or {}))
    return [whose.run for whose in parsed if whose]
