"""Bearer-token authentication: every request acts as exactly one tenant."""

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

from devteam_bus.connection import Bus
from devteam_contracts.subjects import BUCKET_TOKENS
from devteam_tenants.tokens import TokenStore, token_digest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the tenant, and a non-secret id of the token for the audit trail."""

    tenant: str
    token_id: str


# Unknown tokens are remembered briefly (a flood of random tokens costs one lookup each at
# most this often) and count against the same bound as known ones.
NEGATIVE_TTL_S = 5.0


class TokenCache:
    """Token → tenant lookups, cached so a request does not always hit the bucket: at most
    `max_entries` (least recently used dropped first, unknown tokens included), known tokens
    for `ttl_s`, unknown ones for `NEGATIVE_TTL_S`; `forget` drops a revoked token at once."""

    def __init__(self, store: TokenStore, ttl_s: float, max_entries: int = 10_000) -> None:
        self._store = store
        self._ttl = ttl_s
        self._max = max_entries
        self._cache: OrderedDict[str, tuple[float, Principal | None]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._cache)

    def forget(self, digest: str) -> None:
        """Drop a token (by digest) from the cache."""
        self._cache.pop(digest, None)

    def clear(self) -> None:
        """Drop everything (e.g. after the watch on the tokens bucket was interrupted)."""
        self._cache.clear()

    async def principal(self, token: str) -> Principal | None:
        """The caller a token stands for, or None if the token is unknown."""
        digest = token_digest(token)
        hit = self._cache.get(digest)
        now = time.monotonic()
        if hit:
            ttl = self._ttl if hit[1] is not None else min(self._ttl, NEGATIVE_TTL_S)
            if now - hit[0] < ttl:
                self._cache.move_to_end(digest)
                return hit[1]
        tenant = await self._store.tenant_of(token)
        found = Principal(tenant=tenant, token_id=digest[:12]) if tenant else None
        self._cache[digest] = (now, found)
        self._cache.move_to_end(digest)
        while len(self._cache) > self._max:
            self._cache.popitem(last=False)
        return found


async def watch_tokens(bus: Bus, cache: TokenCache) -> None:
    """Forget a token the moment its entry changes (revoked, re-assigned), so a revoked token
    is refused by every gateway within about a second. After an interruption of the watch the
    whole cache is dropped: changes may have been missed meanwhile."""
    while True:
        try:
            kv = await bus.js.key_value(BUCKET_TOKENS)
            watcher = await kv.watchall(meta_only=True)
            cache.clear()
            async for entry in watcher:
                if entry is not None:
                    cache.forget(entry.key)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("watching the tokens bucket failed (%s); retrying", exc)
        await asyncio.sleep(1)
