"""`/v1/usage`: the calling tenant's model usage (tokens and cost) over all its runs."""

from fastapi import APIRouter

from devteam_contracts.usage import TenantUsageView, Usage
from devteam_gateway.deps import BusDep, PrincipalDep
from devteam_tenants.usage import UsageStore

router = APIRouter(prefix="/v1", tags=["usage"])


@router.get("/usage")
async def get_usage(bus: BusDep, who: PrincipalDep) -> TenantUsageView:
    """Prompt and completion tokens, cost and model requests of every run of the tenant."""
    stored = await UsageStore(bus).get(who.tenant)
    if stored is None:
        return TenantUsageView(tenant=who.tenant, usage=Usage(), runs=0)
    return TenantUsageView(
        tenant=who.tenant,
        usage=stored.total,
        runs=stored.ended_runs + len(stored.active),
        updated_at=stored.updated_at,
    )
