"""Run a command with a wall-clock limit, killing its whole process group on expiry.

The one place subprocesses of untrusted work (Aider, a project's checks) are run: in their own
session, output merged and streamed line by line (any line length), a tail kept for failure
reports, and on timeout or cancellation the whole group terminated, so children (test runners,
shells, editors) die with it.
"""

import asyncio
import contextlib
import ctypes
import ctypes.util
import errno
import os
import resource
import shutil
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devteam_sandbox.limits import CheckLimits, PidsCgroup, limit_hit, process_limit

LineSink = Callable[[str], Awaitable[None]]
TAIL_CHARS = 8000
READ_CHUNK = 65536


@dataclass(frozen=True)
class ProcessResult:
    """How a command ended."""

    exit_code: int
    timed_out: bool
    duration_s: float
    output_tail: str
    limit: str | None = None  # the resource limit it ran into, e.g. "memory limit (64 MB)"
    output_cut_bytes: int = 0  # output past the cap: counted, not kept

    @property
    def ok(self) -> bool:
        """True when the command exited 0 within its time limit and hit no other limit."""
        return self.exit_code == 0 and not self.timed_out and self.limit is None


_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def die_with_parent() -> None:
    """`preexec_fn` for children that must not outlive this process.

    Runs in the child between fork and exec: if our worker is killed outright (SIGKILL, OOM),
    the child gets SIGKILL too instead of living on as an orphan that still edits the tree.
    The signal follows the *thread* that forked, so start such children from the event loop's
    thread, never from a worker thread that may exit.
    """
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


# Untrusted work is batch work: by default it runs this much nicer than NATS, the gateway and
# the stages, so they stay responsive on a machine it saturates (`WorkSettings.work_nice`).
DEFAULT_WORK_NICE = 10


def untrusted_child() -> None:
    """`preexec_fn` for untrusted work (see `start_untrusted`): dies with its parent."""
    die_with_parent()


_NICE = shutil.which("nice") or "/usr/bin/nice"


async def start_untrusted(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    nice: int,
    preexec: Callable[[], None] = untrusted_child,
    **options: Any,
) -> asyncio.subprocess.Process:
    """Start untrusted work in its own session (its group is killed as one), dying with its
    parent, at the work's priority: `nice` more than this process (`WorkSettings.work_nice`;
    0: the same). The priority is lowered after the exec, not in `preexec`: the parent waits
    for the exec, and a child already at the work's priority on a saturated machine would
    hold the parent's event loop until the CPU had time for it. Raises `OSError` if `argv`
    cannot be started."""
    if nice and shutil.which(argv[0], path=env.get("PATH")) is None:
        raise FileNotFoundError(errno.ENOENT, "no such executable", argv[0])  # not nice's 127
    niced = [_NICE, "-n", str(nice), *argv] if nice else list(argv)  # its children too
    proc = await asyncio.create_subprocess_exec(
        *niced, env=dict(env), start_new_session=True, preexec_fn=preexec, **options
    )
    await _lower_group_priority(proc.pid, nice)
    return proc


async def _lower_group_priority(pid: int, work_nice: int) -> None:
    """Where the kernel groups tasks by session (`sched_autogroup_enabled`), the new session
    of untrusted work is a new group that competes with every other group at nice 0, whatever
    its tasks' own nice: give the group the work's nice too, or the priority is lost. Unless
    it may administer the system, a process gets one such change per 100 ms machine-wide:
    retry a little, then leave it."""
    nice = str(min(19, os.nice(0) + work_nice))
    for _ in range(4):
        try:
            await asyncio.to_thread(Path(f"/proc/{pid}/autogroup").write_text, nice)
            return
        except BlockingIOError:
            await asyncio.sleep(0.1)
        except OSError:
            return  # no autogroups on this kernel, or the process is gone


def kill_group(pid: int, sig: int) -> None:
    """Signal a whole process group, ignoring one that is already gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


class OutputLines:
    """Splits a byte stream into lines, redacts them, keeps a tail and feeds the sink; past
    `cap_bytes` lines still reach the tail but no longer the sink (they are counted)."""

    def __init__(
        self,
        sink: LineSink | None,
        redact: Callable[[str], str] | None,
        cap_bytes: int | None = None,
    ) -> None:
        self._sink = sink
        self._redact = redact
        self._tail: deque[str] = deque()
        self._tail_chars = 0
        self._cap = cap_bytes
        self.kept_bytes = 0
        self.cut_bytes = 0
        self.cut_lines = 0

    async def pump(self, stream: asyncio.StreamReader) -> None:
        """Read `stream` to its end, line by line."""
        pending = b""
        while chunk := await stream.read(READ_CHUNK):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                await self._line(raw)
        if pending:
            await self._line(pending)

    async def _line(self, raw: bytes) -> None:
        await self.line(raw.decode("utf-8", errors="replace").rstrip("\r"))

    async def line(self, line: str) -> None:
        """Take one already-split line."""
        if self._redact is not None:
            line = self._redact(line)
        self._tail.append(line)
        self._tail_chars += len(line) + 1
        while self._tail_chars > TAIL_CHARS and len(self._tail) > 1:
            self._tail_chars -= len(self._tail.popleft()) + 1
        size = len(line.encode("utf-8", "replace")) + 1
        if self._cap is not None and self.kept_bytes + size > self._cap:
            self.cut_bytes += size
            self.cut_lines += 1
            return
        self.kept_bytes += size
        if self._sink is not None:
            await self._sink(line)

    async def finish(self) -> None:
        """Say what the cap cut, if anything."""
        if self.cut_lines and self._sink is not None:
            await self._sink(
                f"[devteam] output cut after {self.kept_bytes} bytes: {self.cut_bytes} more "
                f"bytes ({self.cut_lines} lines) not kept"
            )

    def tail(self) -> str:
        """The last `TAIL_CHARS` characters of output."""
        return "\n".join(self._tail)[-TAIL_CHARS:]


async def _terminate(proc: asyncio.subprocess.Process, grace_s: float) -> None:
    kill_group(proc.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(proc.wait(), grace_s)
    except TimeoutError:
        kill_group(proc.pid, signal.SIGKILL)
        await proc.wait()
    # Children that ignored SIGTERM would keep the output pipe open.
    kill_group(proc.pid, signal.SIGKILL)


async def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout_s: float,
    nice: int,
    on_line: LineSink | None = None,
    redact: Callable[[str], str] | None = None,
    kill_grace_s: float = 3.0,
    limits: CheckLimits | None = None,
    pass_fds: Sequence[int] = (),
    started: Callable[[int], Awaitable[None]] | None = None,
) -> ProcessResult:
    """Run `argv` in its own session, at the work's priority (`nice`, see `start_untrusted`);
    stream merged stdout/stderr lines to `on_line`.

    Lines pass through `redact` before they reach the sink or the tail. On timeout the group
    gets SIGTERM, then SIGKILL after `kill_grace_s`; if the caller is cancelled, the same
    happens before the cancellation propagates. Raises `OSError` if `argv` cannot be started.

    With `limits` the command (and all it starts) runs under them, its output reaching
    `on_line` is capped, and the result names the limit it ran into. `pass_fds` are inherited;
    `started(pid)` runs once the process is up, before the time limit counts (if it raises,
    the group is killed and the error propagates).
    """
    how = _How(nice, redact, kill_grace_s, limits, tuple(pass_fds), started)
    if limits is None:
        return await _run(argv, cwd, env, timeout_s, on_line, how, None)
    async with process_limit(limits) as (cgroup, _binds):
        return await _run(argv, cwd, env, timeout_s, on_line, how, cgroup)


@dataclass(frozen=True)
class _How:
    nice: int
    redact: Callable[[str], str] | None
    kill_grace_s: float
    limits: CheckLimits | None
    pass_fds: tuple[int, ...]
    started: Callable[[int], Awaitable[None]] | None


def _limited(limits: CheckLimits | None, cgroup: PidsCgroup | None) -> Callable[[], None]:
    def preexec() -> None:  # in the child, between fork and exec: no allocation-heavy work
        untrusted_child()
        if cgroup is not None:
            cgroup.join()
        for which, value in limits.rlimits() if limits else ():
            resource.setrlimit(which, value)

    return preexec


async def _run(
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    timeout_s: float,
    on_line: LineSink | None,
    how: _How,
    cgroup: PidsCgroup | None,
) -> ProcessResult:
    limits, kill_grace_s = how.limits, how.kill_grace_s
    started = time.monotonic()
    proc = await start_untrusted(
        argv,
        env=env,
        nice=how.nice,
        preexec=_limited(limits, cgroup),
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        pass_fds=how.pass_fds,
    )
    assert proc.stdout is not None
    output = OutputLines(on_line, how.redact, limits.output_bytes if limits else None)
    pump = asyncio.create_task(output.pump(proc.stdout))
    waiter = asyncio.create_task(proc.wait())
    try:
        if how.started is not None:
            await how.started(proc.pid)
            started = time.monotonic()
        done, _ = await asyncio.wait(
            {pump, waiter}, timeout=timeout_s, return_when=asyncio.FIRST_EXCEPTION
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
            await asyncio.shield(_terminate(proc, kill_grace_s))
        else:
            # Done; anything it left running would hold the output pipe open.
            kill_group(proc.pid, signal.SIGKILL)
    # The group is gone, so the pipe reaches EOF; whatever is left is still streamed.
    await pump
    await output.finish()
    code = proc.returncode if proc.returncode is not None else -1
    hit = None
    pids_hit = cgroup.hit() if cgroup else False
    if limits is not None and not timed_out and (code != 0 or pids_hit):
        # (a check that survived its fork bomb still ran into the limit: it fails)
        hit = limit_hit(code, output.tail(), limits, pids_hit)
    return ProcessResult(
        exit_code=code,
        timed_out=timed_out,
        duration_s=time.monotonic() - started,
        output_tail=output.tail(),
        limit=hit,
        output_cut_bytes=output.cut_bytes,
    )
