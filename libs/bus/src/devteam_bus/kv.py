"""Reading key-value buckets and streams: what every store and reader does the same way."""

from datetime import UTC, datetime

from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError, NoKeysError
from nats.js.kv import KeyValue

CAS_ATTEMPTS = 20


def now() -> datetime:
    """The current time in UTC (every stored timestamp is UTC)."""
    return datetime.now(UTC)


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


async def messages_to_read(sub: JetStreamContext.PushSubscription) -> int:
    """How many messages a new ordered consumer has to deliver from its start: those it has
    delivered already (a push consumer runs ahead of its reader) plus those still pending."""
    info = await sub.consumer_info()
    return (info.num_pending or 0) + (info.delivered.consumer_seq if info.delivered else 0)
