"""`/v1/secrets`: the caller's tenant's secrets. Write-only: no response, log or audit record
ever holds a value; listing gives names and times."""

from fastapi import APIRouter, HTTPException, Request, Response, status

from devteam_bus.publish import publish_audit
from devteam_contracts.audit import SecretStored
from devteam_contracts.secrets import SecretInfo, SecretList, SecretPut, is_secret_name
from devteam_gateway.deps import BusDep, PrincipalDep
from devteam_tenants.secrets import SecretStore

router = APIRouter(prefix="/v1/secrets", tags=["secrets"])


def _store(request: Request) -> SecretStore:
    store: SecretStore = request.app.state.secrets
    if not store.configured:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the secret store has no key (DEVTEAM_SECRETS_KEY)"
        )
    return store


def _name(name: str) -> str:
    if not is_secret_name(name):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            [{"loc": ["path", "name"], "type": "value_error",
              "msg": "a secret name is a letter, then up to 63 letters, digits, _ or -"}],
        )  # fmt: skip
    return name


@router.get("")
async def list_secrets(request: Request, who: PrincipalDep) -> SecretList:
    """The tenant's secrets: names and times, never values."""
    return SecretList(secrets=await _store(request).list(who.tenant))


@router.put("/{name}")
async def put_secret(
    name: str, body: SecretPut, request: Request, bus: BusDep, who: PrincipalDep
) -> SecretInfo:
    """Create or replace a secret; the answer holds its name and times only."""
    info = await _store(request).put(who.tenant, _name(name), body.value)
    await publish_audit(
        bus, who.tenant, f"token:{who.token_id}", "secret.put", name, "stored",
        SecretStored(created_at=info.created_at, updated_at=info.updated_at),
    )  # fmt: skip
    return info


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_secret(name: str, request: Request, bus: BusDep, who: PrincipalDep) -> Response:
    """Remove a secret; 404 when the tenant has none of that name."""
    if not await _store(request).delete(who.tenant, _name(name)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "secret not found")
    await publish_audit(bus, who.tenant, f"token:{who.token_id}", "secret.delete", name, "deleted")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
