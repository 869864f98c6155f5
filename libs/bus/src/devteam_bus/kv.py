"""Reading key-value buckets and streams: what every store and reader does the same way."""

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError, NoKeysError
from nats.js.kv import KeyValue
from tenacity import AsyncRetrying, RetryError, retry_if_exception_type, stop_after_attempt

from devteam_bus.errors import ConflictError

log = logging.getLogger(__name__)
T = TypeVar("T")

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


async def compare_and_set(
    what: str, attempt: Callable[[], Awaitable[T]], attempts: int = CAS_ATTEMPTS
) -> T:
    """Run `attempt` (read an entry, change it, write it back with `last=` its revision) again
    at once each time another writer won the race (`KeyWrongLastSequenceError`), up to
    `attempts` times; then `ConflictError`."""
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(KeyWrongLastSequenceError),
        stop=stop_after_attempt(attempts),
        before_sleep=lambda _state: log.debug("%s changed under us; retrying", what),
    )
    try:
        async for trying in retrying:
            with trying:
                return await attempt()
    except RetryError as exc:
        raise ConflictError(f"{what}: gave up after {attempts} conflicting updates") from exc
    raise AssertionError("unreachable: tenacity returns or raises")
