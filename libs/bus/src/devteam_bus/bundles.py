"""The commits one stage hands the next: git bundles in a JetStream object store, keyed by
run/task/attempt/head commit and deleted when the run ends. Stages share nothing but NATS."""

import logging

from nats.js.errors import NotFoundError

from devteam_bus.connection import Bus
from devteam_contracts.subjects import OBJECTS_BUNDLES, bundle_key

log = logging.getLogger(__name__)


class BundleStore:
    """Put, get and drop the bundles of a run's attempts."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def put(self, run_id: str, task_id: str, attempt: int, head: str, data: bytes) -> None:
        """Store the bundle of an attempt ending at `head` (a repeat replaces it with the same
        content)."""
        obs = await self._bus.js.object_store(OBJECTS_BUNDLES)
        await obs.put(bundle_key(run_id, task_id, attempt, head), data)

    async def get(self, run_id: str, task_id: str, attempt: int, head: str) -> bytes | None:
        """The bundle of the attempt that ended at `head`, or None when there is none (never
        made, or its run ended)."""
        obs = await self._bus.js.object_store(OBJECTS_BUNDLES)
        try:
            result = await obs.get(bundle_key(run_id, task_id, attempt, head))
        except NotFoundError:  # includes deleted objects
            return None
        return result.data

    async def drop_run(self, run_id: str) -> int:
        """Delete every bundle of the run; returns how many there were."""
        obs = await self._bus.js.object_store(OBJECTS_BUNDLES)
        try:
            entries = await obs.list(ignore_deletes=True)
        except NotFoundError:
            return 0
        prefix = f"{run_id}/"
        names = [e.name for e in entries if e.name and e.name.startswith(prefix)]
        for name in names:
            try:
                await obs.delete(name)
            except NotFoundError:  # includes deleted objects
                continue  # deleted meanwhile by a redelivered end of the run
        return len(names)
