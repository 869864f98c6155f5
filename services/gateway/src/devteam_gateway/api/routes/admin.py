"""`/v1/admin`: token administration, authorised by the operator's admin token
(`DEVTEAM_ADMIN_TOKEN`), never by a tenant's."""

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status

from devteam_contracts.ids import is_safe_id
from devteam_contracts.tokens import TokenCreate, TokenCreated, TokenList
from devteam_contracts.usage import TenantBudgetSet, TenantBudgetView
from devteam_gateway.deps import BusDep, bearer_token
from devteam_gateway.settings import GatewaySettings
from devteam_tenants.budgets import BudgetStore
from devteam_tenants.tokens import TokenStore

router = APIRouter(prefix="/v1/admin", tags=["admin"])


def is_admin(request: Request) -> bool:
    """True when the bearer token is the admin token (compared in constant time); never
    without a configured admin token."""
    settings: GatewaySettings = request.app.state.settings
    configured = settings.admin_token.get_secret_value() if settings.admin_token else ""
    given = bearer_token(request.headers.get("authorization")) or ""
    return bool(configured) and hmac.compare_digest(given.encode(), configured.encode())


def require_admin(request: Request) -> str:
    """401 unless the caller holds the admin token."""
    if not is_admin(request):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "the admin token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return "admin"


AdminDep = Annotated[str, Depends(require_admin)]


def _tenant(tenant: str) -> str:
    if not is_safe_id(tenant):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            [{"loc": ["path", "tenant"], "msg": "not a tenant id", "type": "value_error"}],
        )
    return tenant


@router.post("/tenants/{tenant}/tokens", status_code=status.HTTP_201_CREATED)
async def create_token(
    tenant: str, body: TokenCreate, bus: BusDep, admin: AdminDep
) -> TokenCreated:
    """A new API token for the tenant; its value is in this answer only."""
    return await TokenStore(bus).create(_tenant(tenant), body.label, admin)


@router.get("/tenants/{tenant}/tokens")
async def list_tokens(tenant: str, bus: BusDep, admin: AdminDep) -> TokenList:
    """The tenant's tokens: ids, labels and times, never values."""
    return TokenList(tokens=await TokenStore(bus).list(_tenant(tenant)))


@router.delete("/tenants/{tenant}/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(tenant: str, token_id: str, bus: BusDep, admin: AdminDep) -> Response:
    """Revoke a token: every gateway refuses it within a second (they watch the bucket)."""
    if not await TokenStore(bus).revoke(_tenant(tenant), token_id, admin):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "token not found")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/tenants/{tenant}/budget")
async def set_budget(
    tenant: str, body: TenantBudgetSet, bus: BusDep, admin: AdminDep
) -> TenantBudgetView:
    """Set the tenant's monthly budget (null values: no limit); audited. A tenant over it gets
    402 on a new run or step, and its running runs stop at their next model request."""
    await BudgetStore(bus).set(_tenant(tenant), body, admin)
    return await BudgetStore(bus).view(tenant)


@router.get("/tenants/{tenant}/budget")
async def get_budget(tenant: str, bus: BusDep, admin: AdminDep) -> TenantBudgetView:
    """The tenant's monthly budget with what it has used this calendar month (UTC)."""
    return await BudgetStore(bus).view(_tenant(tenant))
