"""The gateway's event feed, without NATS: who gets an event, and the bounded queues."""

import asyncio
from datetime import UTC, datetime
from typing import Any

from devteam_contracts.event_data import EventData, LogData, RunCompletedData
from devteam_contracts.events import make_event
from devteam_contracts.subjects import event_subject
from devteam_contracts.usage import Usage
from devteam_gateway.feed import TOO_SLOW, Feed


def offer(feed: Feed, seq: int, tenant: str, project: str, run: str, **kw: Any) -> None:
    data: EventData = kw.get("data", LogData(lines=["x"]))
    event = make_event(data, run_id=run, tenant=tenant, project_id=project, at=datetime.now(UTC),
                       message="x")  # fmt: skip
    feed.offer(seq, event_subject(tenant, project, run), event.model_dump_json().encode())


def seqs(queue: asyncio.Queue[Any]) -> list[int]:
    return [queue.get_nowait().seq for _ in range(queue.qsize())]


async def test_each_listener_gets_what_its_tenant_project_and_run_cover() -> None:
    feed = Feed(bus=None, buffer=10)  # type: ignore[arg-type]  # offering needs no bus
    tenant = feed.listen("acme")
    project = feed.listen("acme", "prj-aaaaaaaaaaaa")
    run = feed.listen("acme", "prj-aaaaaaaaaaaa", "run-aaaaaaaaaaaa")
    other = feed.listen("globex")
    offer(feed, 1, "acme", "prj-aaaaaaaaaaaa", "run-aaaaaaaaaaaa")
    offer(feed, 2, "acme", "prj-aaaaaaaaaaaa", "run-bbbbbbbbbbbb")
    offer(feed, 3, "acme", "prj-bbbbbbbbbbbb", "run-cccccccccccc")
    offer(
        feed,
        4,
        "globex",
        "prj-cccccccccccc",
        "run-dddddddddddd",
        data=RunCompletedData(usage=Usage()),
    )
    assert seqs(tenant.queue) == [1, 2, 3]
    assert seqs(project.queue) == [1, 2]
    assert seqs(run.queue) == [1]
    [last] = [other.queue.get_nowait()]
    assert last.seq == 4 and last.terminal and '"seq":4' in last.text
    assert feed.last == 4


async def test_a_full_queue_fails_its_listener_with_1013_and_drops_it() -> None:
    feed = Feed(bus=None, buffer=2)  # type: ignore[arg-type]
    slow, fast = feed.listen("acme"), feed.listen("acme")
    for seq in (1, 2):
        offer(feed, seq, "acme", "prj-aaaaaaaaaaaa", "run-aaaaaaaaaaaa")
    fast.queue.get_nowait()
    offer(feed, 3, "acme", "prj-aaaaaaaaaaaa", "run-aaaaaaaaaaaa")
    assert slow.failed.done() and slow.failed.result()[0] == TOO_SLOW
    assert not fast.failed.done() and seqs(fast.queue) == [2, 3]
    offer(feed, 4, "acme", "prj-aaaaaaaaaaaa", "run-aaaaaaaaaaaa")
    assert seqs(slow.queue) == [1, 2]  # nothing more after it was dropped
    feed.forget(fast)
    feed.forget(fast)  # forgetting twice is harmless


async def test_an_unparseable_event_is_skipped_but_counted_as_read() -> None:
    feed = Feed(bus=None, buffer=2)  # type: ignore[arg-type]
    listener = feed.listen("acme")
    feed.offer(7, "devteam.evt.acme.prj-aaaaaaaaaaaa.run-aaaaaaaaaaaa", b"{not json")
    assert listener.queue.empty() and feed.last == 7
