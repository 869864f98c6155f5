"""The gateway's token cache stays bounded, unknown tokens included."""

from devteam_gateway.auth import TokenCache
from devteam_tenants.tokens import token_digest


class Tokens:
    """Token → tenant in memory, counting lookups."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self.lookups = 0

    async def tenant_of(self, token: str) -> str | None:
        self.lookups += 1
        return self.known.get(token)


async def test_random_tokens_never_grow_the_cache_past_its_bound() -> None:
    store = Tokens({"good": "acme"})
    cache = TokenCache(store, ttl_s=30, max_entries=100)  # type: ignore[arg-type]
    assert (await cache.principal("good")) is not None
    for i in range(5000):
        assert await cache.principal(f"random-{i}") is None
        assert len(cache) <= 100
    lookups = store.lookups
    assert await cache.principal("random-4999") is None  # a recent unknown one: cached
    assert store.lookups == lookups


async def test_a_forgotten_token_is_looked_up_again() -> None:
    store = Tokens({"good": "acme"})
    cache = TokenCache(store, ttl_s=30)  # type: ignore[arg-type]
    principal = await cache.principal("good")
    assert principal is not None and principal.tenant == "acme"
    del store.known["good"]
    assert await cache.principal("good") is not None  # cached
    cache.forget(token_digest("good"))
    assert await cache.principal("good") is None
