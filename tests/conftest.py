"""Fixtures shared by every test: a real nats-server on a free loopback port with a temp store."""

import os

# Here the work is what is under test: on a 2-core CI machine, four workers' stacks and test
# processes would keep every Aider attempt and check waiting behind them at the default
# priorities (work below the services). The suite runs everything at one priority: these
# configure the stacks the tests start (`devteam up` passes its environment on, and each
# service reads its settings when it starts), while tests that box work themselves pass
# `SandboxSettings(work_nice=0)`. tests/integration/test_sandbox.py checks the priorities
# themselves, and the benches run with the defaults.
os.environ.setdefault("DEVTEAM_WORK_NICE", "0")
os.environ.setdefault("DEVTEAM_STAGE_NICE", "0")

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from devteam_bus.connection import Bus, connect
from devteam_bus.provision import provision
from devteam_bus.settings import BusSettings
from devteam_cli.nats_server import NatsNode, free_port, start_nats, stop_process


@pytest.fixture
def nats_url(tmp_path: Path) -> Iterator[str]:
    """A fresh JetStream server per test (starts in ~30 ms), so tests never share state."""
    port = free_port()
    proc = start_nats(NatsNode(tmp_path / "nats-data", port), tmp_path / "nats.log")
    yield f"nats://127.0.0.1:{port}"
    stop_process(proc)


@pytest.fixture
def bus_settings(nats_url: str, tmp_path: Path) -> BusSettings:
    """Settings with short timers so redelivery paths run quickly."""
    return BusSettings(
        nats_url=nats_url,
        ack_wait_s=2,
        max_deliver=3,
        nak_delay_s=0.1,
        connect_timeout_s=5,
    )


@pytest.fixture
async def bus(bus_settings: BusSettings) -> AsyncIterator[Bus]:
    """A connected, provisioned bus."""
    b = await connect(bus_settings, "test")
    await provision(b, bus_settings)
    yield b
    await b.close()
