"""Background loops end by an event, even when their action swallows cancellation (as
nats-py does inside publish): the loop's owner is never left waiting (pure asyncio)."""

import asyncio
import contextlib

import pytest

from devteam_bus.periodic import every


async def test_the_action_runs_while_the_body_runs_and_stops_after() -> None:
    calls = 0

    async def action() -> None:
        nonlocal calls
        calls += 1

    async with every(0.01, action):
        await asyncio.sleep(0.1)
    seen = calls
    await asyncio.sleep(0.05)
    assert seen >= 3 and calls == seen


async def test_an_action_that_swallows_cancellation_does_not_hang_the_exit() -> None:
    async def stubborn() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # what nats-py's publish does
            await asyncio.sleep(0.05)

    async def body() -> None:
        async with every(0.01, stubborn):
            await asyncio.sleep(0.03)

    await asyncio.wait_for(body(), 2)


async def test_an_actions_error_is_raised_on_exit() -> None:
    async def broken() -> None:
        raise RuntimeError("publish failed")

    with pytest.raises(RuntimeError, match="publish failed"):
        async with every(0.01, broken):
            await asyncio.sleep(0.05)
