"""Tenant usage in its bucket: every run's model usage, summed per tenant."""

import logging

from nats.js.errors import KeyNotFoundError

from devteam_bus.connection import Bus
from devteam_bus.kv import compare_and_set, now, value_of
from devteam_contracts.runs import RunState
from devteam_contracts.subjects import BUCKET_USAGE
from devteam_contracts.usage import TenantUsage

log = logging.getLogger(__name__)


class UsageStore:
    """One record per tenant, changed by compare-and-set (see `TenantUsage.with_run`)."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def get(self, tenant: str) -> TenantUsage | None:
        """The tenant's usage, or None before its first model call."""
        kv = await self._bus.js.key_value(BUCKET_USAGE)
        value = await value_of(kv, tenant)
        return TenantUsage.model_validate_json(value) if value else None

    async def record(self, run: RunState) -> None:
        """Set the run's total in its tenant's record (moving it to `ended` once the run
        has ended). Runs that made no model call leave no trace."""
        if run.usage.requests == 0:
            return
        kv = await self._bus.js.key_value(BUCKET_USAGE)

        async def attempt() -> None:
            try:
                entry = await kv.get(run.tenant)
                current = TenantUsage.model_validate_json(entry.value or b"")
                revision: int | None = entry.revision
            except KeyNotFoundError:
                current, revision = TenantUsage(tenant=run.tenant, updated_at=now()), None
            new = current.with_run(run.id, run.usage, run.state.terminal, now())
            if new.model_dump(exclude={"updated_at"}) == current.model_dump(exclude={"updated_at"}):
                return
            data = new.model_dump_json().encode()
            if revision is None:
                await kv.create(run.tenant, data)
            else:
                await kv.update(run.tenant, data, last=revision)

        await compare_and_set(f"usage of {run.tenant}", attempt)
