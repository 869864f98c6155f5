"""Bearer-token authentication: every request acts as exactly one tenant."""

import time
from dataclasses import dataclass

from devteam_bus.stores import TokenStore, token_digest


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant, and a non-secret id of the token for the audit trail."""

    tenant: str
    token_id: str


class TokenCache:
    """Token → tenant lookups, cached briefly so a request does not always hit the bucket."""

    def __init__(self, store: TokenStore, ttl_s: float) -> None:
        self._store = store
        self._ttl = ttl_s
        self._cache: dict[str, tuple[float, Principal | None]] = {}

    async def principal(self, token: str) -> Principal | None:
        """The caller a token stands for, or None if the token is unknown."""
        digest = token_digest(token)
        hit = self._cache.get(digest)
        now = time.monotonic()
        if hit and now - hit[0] < self._ttl:
            return hit[1]
        tenant = await self._store.tenant_of(token)
        found = Principal(tenant=tenant, token_id=digest[:12]) if tenant else None
        self._cache[digest] = (now, found)
        return found
