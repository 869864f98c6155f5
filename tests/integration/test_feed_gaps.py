"""The gateway's event feed on a real nats-server: republished events in stream order, and
what the feed did not hear (core NATS dropped it, or it was not listening) read from the
stream instead, or the sockets told to resume when that is too much."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from devteam_bus.connection import Bus
from devteam_contracts.event_data import LogData
from devteam_contracts.events import make_event
from devteam_contracts.subjects import EVENTS_LIVE_SUBJECTS, event_subject
from devteam_gateway.feed import NATS_AWAY, Feed, Listener


async def publish(bus: Bus, count: int, tenant: str = "acme") -> list[int]:
    seqs = []
    for i in range(count):
        event = make_event(LogData(lines=[f"line {i}"]), run_id="run-aaaaaaaaaaaa",
                           tenant=tenant, project_id="prj-aaaaaaaaaaaa", at=datetime.now(UTC),
                           message=f"line {i}")  # fmt: skip
        subject = event_subject(tenant, event.project_id, event.run_id)
        seqs.append((await bus.js.publish(subject, event.model_dump_json().encode())).seq)
    return seqs


async def received(listener: Listener, count: int) -> list[int]:
    return [(await asyncio.wait_for(listener.queue.get(), 5)).seq for _ in range(count)]


@pytest.fixture
async def feed(bus: Bus) -> AsyncIterator[Feed]:
    feed = Feed(bus, buffer=20)
    await feed.start()
    yield feed
    await feed.close()


async def deaf(feed: Feed, bus: Bus, during: int) -> list[int]:
    """Publish `during` events the feed does not hear (its subscription is gone meanwhile)."""
    await feed._sub.unsubscribe()
    missed = await publish(bus, during)
    feed._sub = await bus.nc.subscribe(EVENTS_LIVE_SUBJECTS)
    return missed


async def test_republished_events_arrive_in_order_and_gaps_are_filled(bus: Bus, feed: Feed) -> None:
    listener, other = feed.listen("acme"), feed.listen("globex")
    before = await publish(bus, 3)
    missed = await deaf(feed, bus, 5)
    running = asyncio.create_task(feed.run())
    try:
        after = await publish(bus, 2)  # the first of these shows the gap
        assert await received(listener, 10) == before + missed + after
        # nothing follows what it missed: it is read from the stream once the feed is idle
        quiet = await deaf(feed, bus, 2)
        assert await received(listener, 2) == quiet
        assert other.queue.empty() and not listener.failed.done()
    finally:
        running.cancel()


async def test_past_a_buffer_of_missed_events_the_sockets_are_told_to_resume(
    bus: Bus, feed: Feed
) -> None:
    listener = feed.listen("acme")
    missed = await deaf(feed, bus, 25)  # more than the buffer of 20
    running = asyncio.create_task(feed.run())
    try:
        code, _reason = await asyncio.wait_for(listener.failed, 5)
        assert code == NATS_AWAY and feed.last == missed[-1]
        late = feed.listen("acme")  # a socket that came back: live again from here
        again = await publish(bus, 3)
        assert await received(late, 3) == again
    finally:
        running.cancel()
