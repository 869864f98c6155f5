"""Reading key-value buckets: what every store does the same way."""

from nats.js.errors import KeyNotFoundError, NoKeysError
from nats.js.kv import KeyValue


async def value_of(kv: KeyValue, key: str) -> bytes | None:
    """The entry's value; None when there is no entry (or it holds nothing)."""
    try:
        entry = await kv.get(key)
    except KeyNotFoundError:
        return None
    return entry.value or None


async def keys_of(kv: KeyValue) -> list[str]:
    """Every key of the bucket; [] when it is empty (nats-py raises for that)."""
    try:
        return list(await kv.keys())
    except NoKeysError:
        return []
