"""Run a command with a wall-clock limit, killing its whole process group on expiry."""

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LineSink = Callable[[str], Awaitable[None]]
TAIL_CHARS = 8000


@dataclass(frozen=True)
class ProcessResult:
    """How a command ended."""

    exit_code: int
    timed_out: bool
    duration_s: float
    output_tail: str

    @property
    def ok(self) -> bool:
        """True when the command exited 0 within its time limit."""
        return self.exit_code == 0 and not self.timed_out


def kill_group(pid: int, sig: int) -> None:
    """Signal a whole process group, ignoring one that is already gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


async def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout_s: float,
    on_line: LineSink | None = None,
    kill_grace_s: float = 3.0,
) -> ProcessResult:
    """Run `argv` in its own session; stream merged stdout/stderr lines to `on_line`.

    On timeout the process group gets SIGTERM, then SIGKILL after `kill_grace_s`, so children
    (test runners, shells, editors) die with it. Cancellation kills the group the same way.
    """
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=dict(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )
    tail: list[str] = []
    size = 0

    async def pump() -> None:
        nonlocal size
        assert proc.stdout is not None
        while True:
            raw = await proc.stdout.readline()
            if not raw:
                return
            line = raw.decode(errors="replace")
            tail.append(line)
            size += len(line)
            while size > TAIL_CHARS and len(tail) > 1:
                size -= len(tail.pop(0))
            if on_line is not None:
                await on_line(line.rstrip("\n"))

    timed_out = False
    try:
        await asyncio.wait_for(asyncio.gather(pump(), proc.wait()), timeout_s)
    except TimeoutError:
        timed_out = True
    finally:
        if proc.returncode is None:
            kill_group(proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), kill_grace_s)
            except TimeoutError:
                kill_group(proc.pid, signal.SIGKILL)
                await proc.wait()
        # The leader may be gone while grandchildren still hold the group: end them too.
        kill_group(proc.pid, signal.SIGKILL)
    return ProcessResult(
        exit_code=proc.returncode if proc.returncode is not None else -1,
        timed_out=timed_out,
        duration_s=time.monotonic() - started,
        output_tail="".join(tail)[-TAIL_CHARS:],
    )
