"""The client of the Aider host (`aider_host.py`): start it, keep it running, run attempts.

The host is a long-lived process in Aider's own environment that has imported Aider once and
forks a fresh child per attempt, so an attempt costs a fork instead of an interpreter start-up
and several seconds of imports. It speaks JSON lines on its stdin/stdout, typed in
`host_protocol` (which the host uses too); this side multiplexes concurrent attempts over that
one pipe by attempt id.

When the host dies it is started again (with back-off when it keeps failing). An attempt that
finds no usable host gets `HostUnavailable` and runs through the CLI instead; an attempt whose
host dies under it gets `HostDiedError`, a transient error (the command is retried).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devteam_sandbox.process import DEFAULT_WORK_NICE, kill_group, start_untrusted

from . import host_protocol as protocol

log = logging.getLogger(__name__)

HOST_SCRIPT = Path(__file__).with_name("aider_host.py")
STREAM_LIMIT = 16 * 1024 * 1024

# An attempt's messages from the host; None when the host died.
_Inbox = asyncio.Queue[protocol.Message | None]


class HostUnavailable(Exception):
    """There is no usable host for this attempt (not started, failed to start, refused)."""


class HostDiedError(Exception):
    """The host went away while an attempt was running on it."""


class _NotStarted(Exception):
    """The host went away before it started the attempt (so nothing ran)."""


@dataclass(frozen=True)
class HostRequest:
    """One attempt: Aider's arguments, where to run, its whole environment, what to say."""

    argv: list[str]
    cwd: Path
    env: Mapping[str, str]
    message: str
    accounting: Path
    tags_cache: Path
    retry_timeout_s: float


@dataclass(frozen=True)
class HostResult:
    """How the attempt's child ended, and the accounting it left (raw JSON)."""

    exit_code: int | None
    signal: int | None
    accounting: Any
    timed_out: bool
    duration_s: float
    pid: int | None


class AiderHost:
    """One host process, started on demand and restarted when it dies; it and the attempts it
    forks run at the work's priority, `nice` (`WorkSettings.work_nice`)."""

    def __init__(
        self,
        aider_python: Path,
        home: Path,
        start_timeout_s: float = 180.0,
        max_backoff_s: float = 60.0,
        *,
        nice: int = DEFAULT_WORK_NICE,
    ) -> None:
        self.aider_python = aider_python
        self.home = home
        self.nice = nice
        self.start_timeout_s = start_timeout_s
        self.max_backoff_s = max_backoff_s
        self.ready_info: protocol.ReadyMessage | None = None
        self.starts = 0
        self._proc: asyncio.subprocess.Process | None = None
        self._starting: asyncio.Task[None] | None = None
        self._queues: dict[str, _Inbox] = {}
        self._owners: dict[str, asyncio.subprocess.Process] = {}  # attempt id → its host
        self._write_lock = asyncio.Lock()
        self._failure: str | None = None
        self._failed_at = 0.0
        self._failures = 0
        self._closed = False
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def pid(self) -> int | None:
        """The running host's pid (None when there is none)."""
        return self._proc.pid if self._proc and self._proc.returncode is None else None

    def start(self) -> None:
        """Begin starting the host in the background, unless it runs or is starting."""
        if self._closed or (self.ready_info is not None and self.pid is not None):
            return
        if self._starting is None or self._starting.done():
            self._starting = asyncio.create_task(self._start())

    async def wait_ready(self, timeout_s: float | None = None) -> protocol.ReadyMessage:
        """Wait for a ready host, starting it if needed; `HostUnavailable` if there is none.

        A host that failed to start is tried again only after a back-off that doubles with
        each failure (up to `max_backoff_s`); until then this fails at once.
        """
        if self._closed:
            raise HostUnavailable("the Aider host is shut down")
        if self.ready_info is not None and self.pid is not None:
            return self.ready_info
        if self._starting is None or self._starting.done():
            backoff = min(self.max_backoff_s, 2.0 ** max(self._failures - 1, 0))
            if self._failure and time.monotonic() - self._failed_at < backoff:
                raise HostUnavailable(self._failure)
            self.start()
        if self._starting is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._starting), timeout_s)
        if self.ready_info is None or self.pid is None:
            raise HostUnavailable(self._failure or "the Aider host is still starting")
        return self.ready_info

    async def _start(self) -> None:
        self.ready_info = None
        self.home.mkdir(parents=True, exist_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "dumb",
            "NO_COLOR": "1",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        }
        started = time.monotonic()
        try:
            if not self.aider_python.is_file():
                raise OSError(f"aider python not found at {self.aider_python}")
            # Created from the event loop's thread (PDEATHSIG follows the forking thread), in
            # its own session so a terminal's Ctrl-C reaches the worker, which then drains.
            proc = await start_untrusted(
                [str(self.aider_python), "-I", "-u", str(HOST_SCRIPT)], env=env, nice=self.nice,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, limit=STREAM_LIMIT,
            )  # fmt: skip
        except OSError as exc:
            self._failed(f"cannot start the Aider host: {exc}")
            return
        self._proc = proc
        self.starts += 1
        self._spawn(self._log_stderr(proc))
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), self.start_timeout_s)
            info = protocol.parse_ready(line)
        except (TimeoutError, protocol.ProtocolError) as exc:
            why = str(exc) or f"no ready message ({type(exc).__name__})"
            await self._stop_process(proc)
            self._failed(f"the Aider host did not start: {why}")
            return
        if info["threads"] != 1:
            await self._stop_process(proc)
            self._failed(f"the Aider host has {info['threads']} threads; it cannot fork")
            return
        self.ready_info = info
        self._failure, self._failures = None, 0
        log.info(
            "aider host %s ready in %.1f s (aider %s, %s modules preloaded)",
            proc.pid, time.monotonic() - started, info["aider"], info["preloaded"],
        )  # fmt: skip
        self._spawn(self._read(proc))

    def _failed(self, reason: str) -> None:
        self._failure = reason
        self._failed_at = time.monotonic()
        self._failures += 1
        log.warning("%s; attempts use the Aider CLI meanwhile", reason)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _log_stderr(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stderr is not None
        while line := await proc.stderr.readline():
            log.info("aider host %s: %s", proc.pid, line.decode(errors="replace").rstrip())

    async def _read(self, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        try:
            while line := await proc.stdout.readline():
                try:
                    message = protocol.parse_message(line)
                except protocol.ProtocolError as exc:
                    log.warning(
                        "aider host sent a line that is no message (%s): %r", exc, line[:200]
                    )
                    continue
                queue = self._queues.get(str(message.get("id")))
                if queue is not None:
                    queue.put_nowait(message)
                elif message["type"] == "error":
                    log.warning("aider host: %s", message["message"])
        finally:
            for attempt_id, owner in list(self._owners.items()):
                if owner is proc and attempt_id in self._queues:
                    self._queues[attempt_id].put_nowait(None)
            await self._stop_process(proc)
            if self._proc is proc:
                self.ready_info = None
                if not self._closed:
                    self._failed(f"the Aider host exited with {proc.returncode}")
                    # Restart at once; the back-off only applies to attempts in the meantime.
                    self.start()

    async def _send(self, message: protocol.Request) -> None:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.returncode is not None:
            raise HostDiedError("the Aider host is not running")
        async with self._write_lock:
            try:
                proc.stdin.write(protocol.encode(message))
                await proc.stdin.drain()
            except (BrokenPipeError, ConnectionResetError) as exc:
                raise HostDiedError(f"the Aider host is gone: {exc}") from exc

    async def attempt(
        self,
        request: HostRequest,
        on_line: Callable[[str], Awaitable[None]],
        timeout_s: float,
        kill_grace_s: float,
        wait_ready_s: float,
    ) -> HostResult:
        """Run one attempt in a forked child of the host.

        Output lines go to `on_line`. After `timeout_s` the child's process group gets SIGTERM,
        then SIGKILL after `kill_grace_s`; the same happens when the caller is cancelled.
        Raises `HostUnavailable` before anything ran, `HostDiedError` if the host died during
        the attempt.
        """
        for tries_left in (1, 0):
            attempt_id = uuid.uuid4().hex
            queue: _Inbox = asyncio.Queue()
            self._queues[attempt_id] = queue
            started = time.monotonic()
            state: dict[str, Any] = {"pid": None, "killed": False}
            start = protocol.start_request(
                attempt_id, request.argv, str(request.cwd), dict(request.env), request.message,
                str(request.accounting), str(request.tags_cache), request.retry_timeout_s,
            )  # fmt: skip
            try:
                await self._send_start(start, wait_ready_s)
                return await self._follow(
                    attempt_id, queue, state, on_line, started, timeout_s, kill_grace_s
                )
            except _NotStarted as exc:
                # The host died before it forked this attempt (it may have looked alive
                # until its exit was noticed): nothing ran, so try its restart once.
                if not tries_left:
                    raise HostUnavailable(str(exc)) from exc
                await asyncio.sleep(0.1)
            except asyncio.CancelledError:
                await asyncio.shield(self._kill_and_wait(attempt_id, queue, state, kill_grace_s))
                raise
            finally:
                self._queues.pop(attempt_id, None)
                self._owners.pop(attempt_id, None)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send_start(self, start: protocol.StartRequest, wait_ready_s: float) -> None:
        await self.wait_ready(wait_ready_s)
        if self._proc is not None:
            self._owners[start["id"]] = self._proc
        try:
            await self._send(start)
        except HostDiedError as exc:
            if self._proc is not None:
                await self._stop_process(self._proc)
            raise _NotStarted(str(exc)) from exc

    async def _follow(
        self,
        attempt_id: str,
        queue: _Inbox,
        state: dict[str, Any],
        on_line: Callable[[str], Awaitable[None]],
        started: float,
        timeout_s: float,
        kill_grace_s: float,
    ) -> HostResult:
        deadline = started + timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if state["killed"]:
                    # The host does not answer a kill: it is broken. Kill it and the group.
                    await self._abandon(state)
                    raise HostDiedError("the Aider host did not end a timed-out attempt")
                state["killed"] = True
                await self._send(protocol.kill_request(attempt_id, kill_grace_s))
                deadline = time.monotonic() + kill_grace_s + 5
                continue
            try:
                message = await asyncio.wait_for(queue.get(), remaining)
            except TimeoutError:
                continue
            if message is None:
                if state["pid"] is None:
                    raise _NotStarted("the Aider host died before the attempt started")
                raise HostDiedError("the Aider host died during the attempt")
            if message["type"] == "output":
                await on_line(message["line"])
            elif message["type"] == "started":
                state["pid"] = message["pid"]
            elif message["type"] == "error":
                raise HostUnavailable(f"the Aider host refused: {message['message']}")
            elif message["type"] == "result":
                return HostResult(
                    exit_code=message["exit_code"],
                    signal=message["signal"],
                    accounting=message["accounting"],
                    timed_out=bool(state["killed"]),
                    duration_s=time.monotonic() - started,
                    pid=state["pid"],
                )

    async def _kill_and_wait(
        self, attempt_id: str, queue: _Inbox, state: dict[str, Any], grace_s: float
    ) -> None:
        try:
            await self._send(protocol.kill_request(attempt_id, grace_s))
            deadline = time.monotonic() + grace_s + 5
            while (remaining := deadline - time.monotonic()) > 0:
                message = await asyncio.wait_for(queue.get(), remaining)
                if message is None or message["type"] == "result":
                    return
        except (HostDiedError, TimeoutError):
            pass
        await self._abandon(state)

    async def _abandon(self, state: dict[str, Any]) -> None:
        if state.get("pid"):
            kill_group(int(state["pid"]), signal.SIGKILL)
        if self._proc is not None:
            await self._stop_process(self._proc)

    async def _stop_process(self, proc: asyncio.subprocess.Process) -> None:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                if proc.stdin is not None:
                    proc.stdin.close()
                try:
                    await asyncio.wait_for(proc.wait(), 2)
                except TimeoutError:
                    kill_group(proc.pid, signal.SIGKILL)
                    await proc.wait()

    async def close(self) -> None:
        """Stop the host (its children's groups are killed with it)."""
        self._closed = True
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        if self._proc is not None:
            await self._stop_process(self._proc)
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def run(self, stop: asyncio.Event) -> None:
        """As a service component: start the host at once, stop it when `stop` is set."""
        self.start()
        await stop.wait()
        await self.close()
