"""Run Aider once, as a subprocess of its own environment, in a given git work tree.

Aider 0.86 exits 0 even when the model or the edit failed, so the outcome only reports what
happened (exit status, timeout, output); the caller judges success from git.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from .settings_files import StateFiles, aider_args, write_state_files

DRIVER = Path(__file__).with_name("aider_driver.py")
TAIL_CHARS = 4000
KILL_GRACE_S = 5.0
_READ_CHUNK = 65536
_REDACTED = "[REDACTED]"
# Placeholder for endpoints that take no key: the OpenAI client refuses to start without one.
_NO_KEY = "no-key"

LineSink = Callable[[str], Awaitable[None]]


class AiderError(Exception):
    """Aider could not be started at all (as opposed to a run that went badly)."""


@dataclass(frozen=True)
class AiderInvocation:
    """One Aider run: where, what to ask, and which model endpoint to ask it of."""

    worktree: Path
    message: str
    model: str
    api_base: str
    api_key: str | None
    state_dir: Path
    timeout_s: float
    edit_format: str = "whole"
    request_timeout_s: float = 60


@dataclass(frozen=True)
class AiderOutcome:
    """What happened; says nothing about whether the change is any good."""

    exit_code: int | None
    timed_out: bool
    duration_s: float
    output_tail: str
    argv: list[str]


def _environment(inv: AiderInvocation, home: Path) -> dict[str, str]:
    # A minimal environment: nothing of the parent's (other API keys, proxies, AIDER_* settings)
    # reaches Aider, which also treats AIDER_* variables as command-line settings.
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "OPENAI_API_BASE": inv.api_base,
        "OPENAI_API_KEY": inv.api_key or _NO_KEY,
    }


def _prepare(inv: AiderInvocation, aider_python: Path) -> StateFiles:
    if not aider_python.is_file():
        raise AiderError(f"aider python not found at {aider_python}; install the aider tool env")
    if not inv.worktree.is_dir():
        raise AiderError(f"work tree {inv.worktree} does not exist")
    return write_state_files(inv.state_dir, inv.model, inv.edit_format, inv.message)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


async def _terminate_group(proc: asyncio.subprocess.Process) -> None:
    """SIGTERM the whole process group, then SIGKILL it if the leader outlives the grace."""
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), KILL_GRACE_S)
    except TimeoutError:
        _signal_group(proc.pid, signal.SIGKILL)
        await proc.wait()
    # Children that ignored SIGTERM would keep the output pipe open.
    _signal_group(proc.pid, signal.SIGKILL)


class _Output:
    """Splits the byte stream into lines, redacts the key, keeps a tail, feeds the sink."""

    def __init__(self, secret: str | None, sink: LineSink | None) -> None:
        self._secret = secret
        self._sink = sink
        self._tail: deque[str] = deque()
        self._tail_chars = 0

    async def pump(self, stream: asyncio.StreamReader) -> None:
        pending = b""
        while chunk := await stream.read(_READ_CHUNK):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                await self._line(raw)
        if pending:
            await self._line(pending)

    async def _line(self, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace").rstrip("\r")
        if self._secret:
            line = line.replace(self._secret, _REDACTED)
        self._tail.append(line)
        self._tail_chars += len(line) + 1
        while self._tail_chars > TAIL_CHARS and len(self._tail) > 1:
            self._tail_chars -= len(self._tail.popleft()) + 1
        if self._sink is not None:
            await self._sink(line)

    def tail(self) -> str:
        return "\n".join(self._tail)[-TAIL_CHARS:]


async def run_aider(
    inv: AiderInvocation, aider_python: Path, on_line: LineSink | None = None
) -> AiderOutcome:
    """Run Aider once in `inv.worktree` and report exit status, timeout and output.

    Aider runs through a small driver in the aider environment (`aider_python`) that stops it
    from reading the repository's `.aider.conf.yml`, `.env` and model files; every setting is
    on the command line and the API base and key travel only in the environment. Output lines
    (with the key redacted) go to `on_line` as they arrive. On `inv.timeout_s` expiry, or if
    the caller is cancelled, the whole process group is terminated. Raises AiderError only if
    Aider cannot be started.
    """
    files = await asyncio.to_thread(_prepare, inv, aider_python)
    argv = [
        str(aider_python), "-I", "-u", str(DRIVER), str(files.tags_cache), "--",
        *aider_args(files, inv.model, inv.edit_format, inv.request_timeout_s),
    ]  # fmt: skip
    output = _Output(inv.api_key, on_line)
    started = time.monotonic()
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=inv.worktree,
            env=_environment(inv, files.home),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise AiderError(f"cannot start aider with {aider_python}: {exc}") from exc
    assert proc.stdout is not None
    pump = asyncio.create_task(output.pump(proc.stdout))
    waiter = asyncio.create_task(proc.wait())
    try:
        done, _ = await asyncio.wait(
            {pump, waiter}, timeout=inv.timeout_s, return_when=asyncio.FIRST_EXCEPTION
        )
        if pump in done and pump.exception() is not None:
            pump.result()  # the sink failed: re-raise; the group is killed below
        timed_out = waiter not in done
    except BaseException:
        pump.cancel()
        raise
    finally:
        waiter.cancel()
        if proc.returncode is None:
            await asyncio.shield(_terminate_group(proc))
        else:
            # Aider is done; anything it left running would hold the output pipe open.
            _signal_group(proc.pid, signal.SIGKILL)
    # The group is gone, so the pipe reaches EOF; whatever is left is still streamed.
    await pump
    return AiderOutcome(
        exit_code=proc.returncode,
        timed_out=timed_out,
        duration_s=time.monotonic() - started,
        output_tail=output.tail(),
        argv=argv,
    )
