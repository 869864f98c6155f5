"""API tokens in their key-value bucket: stored by digest only, each acting as one tenant."""

import hashlib
import secrets
from datetime import UTC, datetime

from devteam_bus.connection import Bus
from devteam_bus.kv import keys_of, now, value_of
from devteam_bus.publish import publish_audit
from devteam_contracts.audit import TokenCreatedDetail
from devteam_contracts.subjects import BUCKET_TOKENS
from devteam_contracts.tokens import TokenCreated, TokenInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def token_digest(token: str) -> str:
    """Tokens are stored by SHA-256 digest only; the token itself is never kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random API token."""
    return "dtr_" + secrets.token_urlsafe(32)


class TokenStore:
    """API tokens, stored by digest only, each with its tenant, id, label and creation time."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def add(self, token: str, tenant: str, label: str = "") -> TokenInfo:
        """Let `token` act as `tenant`."""
        kv = await self._bus.js.key_value(BUCKET_TOKENS)
        digest = token_digest(token)
        info = TokenInfo(id=digest[:12], tenant=tenant, label=label, created_at=now())
        await kv.put(digest, info.model_dump_json().encode())
        return info

    async def create(self, tenant: str, label: str, actor: str) -> TokenCreated:
        """A new random token for `tenant` (its value is shown this once), audited as done
        by `actor`."""
        token = new_token()
        info = await self.add(token, tenant, label)
        await publish_audit(self._bus, tenant, actor, "token.create", info.id, "created",
                            TokenCreatedDetail(label=label))  # fmt: skip
        return TokenCreated(**info.model_dump(), token=token)

    async def _entries(self) -> list[tuple[str, TokenInfo]]:
        kv = await self._bus.js.key_value(BUCKET_TOKENS)
        out = []
        for key in await keys_of(kv):
            info = _token_info(key, await value_of(kv, key))
            if info is not None:
                out.append((key, info))
        return out

    async def list(self, tenant: str) -> list[TokenInfo]:
        """The tenant's tokens (ids, labels, times; never a token)."""
        infos = [info for _key, info in await self._entries() if info.tenant == tenant]
        return sorted(infos, key=lambda i: i.created_at)

    async def revoke(self, tenant: str, token_id: str, actor: str) -> bool:
        """Delete the tenant's token with this id, audited as done by `actor`; False when it
        has none such."""
        kv = await self._bus.js.key_value(BUCKET_TOKENS)
        for key, info in await self._entries():
            if info.tenant == tenant and info.id == token_id:
                await kv.delete(key)
                await publish_audit(self._bus, tenant, actor, "token.revoke", token_id, "revoked")
                return True
        return False

    async def tenant_of(self, token: str) -> str | None:
        """The tenant a token belongs to, or None for an unknown token."""
        kv = await self._bus.js.key_value(BUCKET_TOKENS)
        digest = token_digest(token)
        info = _token_info(digest, await value_of(kv, digest))
        return info.tenant if info else None


def _token_info(digest: str, value: bytes | None) -> TokenInfo | None:
    if not value:
        return None
    if not value.startswith(b"{"):  # a record of an older version: the tenant alone
        return TokenInfo(id=digest[:12], tenant=value.decode(), label="", created_at=EPOCH)
    return TokenInfo.model_validate_json(value)
