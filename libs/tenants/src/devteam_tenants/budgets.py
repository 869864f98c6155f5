"""Tenants' monthly budgets in their bucket, set by the operator, and what a tenant may still
spend this month (its budget against the month's usage in `UsageStore`)."""

from datetime import datetime

from devteam_bus.connection import Bus
from devteam_bus.kv import now, value_of
from devteam_bus.publish import publish_audit
from devteam_contracts.audit import BudgetSetDetail
from devteam_contracts.subjects import BUCKET_BUDGETS
from devteam_contracts.usage import (
    TenantBudget,
    TenantBudgetSet,
    TenantBudgetView,
    Usage,
    month_of,
)
from devteam_tenants.usage import UsageStore


class BudgetStore:
    """One budget per tenant; no entry: no limit."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def get(self, tenant: str) -> TenantBudget | None:
        """The tenant's budget, or None when it has none."""
        kv = await self._bus.js.key_value(BUCKET_BUDGETS)
        value = await value_of(kv, tenant)
        return TenantBudget.model_validate_json(value) if value else None

    async def set(self, tenant: str, budget: TenantBudgetSet, actor: str) -> TenantBudget:
        """Set (replace) the tenant's budget, audited as done by `actor`."""
        stored = TenantBudget(tenant=tenant, updated_at=now(), **budget.model_dump())
        kv = await self._bus.js.key_value(BUCKET_BUDGETS)
        await kv.put(tenant, stored.model_dump_json().encode())
        detail = BudgetSetDetail(**budget.model_dump())
        await publish_audit(self._bus, tenant, actor, "budget.set", tenant, "set", detail)
        return stored

    async def view(self, tenant: str, at: datetime | None = None) -> TenantBudgetView:
        """The budget with what the tenant used in the calendar month of `at` (now)."""
        at = at or now()
        budget = await self.get(tenant)
        usage = await UsageStore(self._bus).get(tenant)
        return TenantBudgetView(
            tenant=tenant,
            monthly_tokens=budget.monthly_tokens if budget else None,
            monthly_cost_usd=budget.monthly_cost_usd if budget else None,
            month=month_of(at),
            usage=usage.month(at) if usage else Usage(),
            updated_at=budget.updated_at if budget else None,
        )

    async def spent(self, tenant: str) -> tuple[str | None, tuple[int | None, float | None]]:
        """Why the tenant may not spend more this month (None: it may), and what it may still
        spend (tokens, dollars; None: no limit)."""
        budget = await self.get(tenant)
        if budget is None:
            return None, (None, None)
        usage = await UsageStore(self._bus).get(tenant)
        month = usage.month(now()) if usage else Usage()
        return budget.spent(month), budget.left(month)
