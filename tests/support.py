"""Test helpers importable from every test module (`from support import ...`)."""

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], timeout_s: float = 20, what: str = "condition"
) -> T:
    """Poll `probe` until it returns something truthy (waiting on state, not a fixed sleep)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.05)


def client_process(port: int) -> int | None:
    """The pid holding the TCP socket whose local port is `port` (a client connected to a
    test server on loopback), from Linux's /proc."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inode = fields[9]
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for fds in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if any(os.readlink(fd) == target for fd in fds.iterdir()):
                return int(fds.parent.name)
    return None


def ancestry(pid: int | None) -> list[int]:
    """`pid` and its parents, up to init."""
    chain = []
    while pid and pid > 1:
        chain.append(pid)
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            break
        pid = int(next(x for x in status.splitlines() if x.startswith("PPid:")).split()[1])
    return chain
