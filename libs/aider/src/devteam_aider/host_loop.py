"""The Aider host's serve loop: requests on stdin, messages on stdout, one forked child per attempt.

Loaded by the host (`aider_host.py`) in Aider's environment, so stdlib only. The loop never
starts a thread and checks `/proc/self/task` before every fork, refusing to fork otherwise:
forking a process with threads can deadlock the child on a lock another thread held. Each child
runs `aider_driver.run_attempt` in its own session, with only the environment, directory and
arguments of its request.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import selectors
import signal
import sys
import time
import traceback
from pathlib import Path

from .aider_driver import run_attempt
from .host_protocol import (
    Message,
    ProtocolError,
    StartRequest,
    encode,
    error_message,
    output_message,
    parse_request,
    result_message,
    started_message,
    status_message,
)

READ_CHUNK = 65536
MAX_LINE_BYTES = 16384
MAX_PENDING_OUTPUT = 32 * 1024 * 1024
EOF_AFTER_EXIT_S = 2.0
_PR_SET_PDEATHSIG = 1


def threads() -> int:
    """OS threads of this process (C extensions can start threads Python does not know of)."""
    return len(os.listdir("/proc/self/task"))


def killpg(pgid: int, sig: int) -> None:
    """Signal a process group that may be gone already."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class Child:
    """One attempt's forked process and the client request it serves."""

    def __init__(self, attempt_id: str, pid: int, out_fd: int, pidfd: int, accounting: str):
        self.id = attempt_id
        self.pid = pid
        self.out_fd: int | None = out_fd
        self.pidfd: int | None = pidfd
        self.accounting = accounting
        self.started = time.monotonic()
        self.pending = b""
        self.status: int | None = None
        self.exited_at: float | None = None
        self.kill_at: float | None = None


class Host:
    """The select loop: requests on stdin, messages on stdout, one entry per child."""

    def __init__(self, out_fd: int) -> None:
        self.out_fd = out_fd
        self.sel = selectors.DefaultSelector()
        self.children: dict[str, Child] = {}
        self.inbuf = b""
        self.outbuf = bytearray()
        self.dropped = 0
        self.running = True
        self.libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        self.pid = os.getpid()

    # -- output to the client ---------------------------------------------------------------
    def send(self, message: Message, droppable: bool = False) -> None:
        """Queue a message for the client; a `droppable` one is dropped (and counted) while
        the client lags too far behind."""
        if droppable and len(self.outbuf) > MAX_PENDING_OUTPUT:
            self.dropped += 1
            return
        self.outbuf += encode(message)
        self._watch_stdout()

    def _watch_stdout(self) -> None:
        events = selectors.EVENT_WRITE if self.outbuf else 0
        try:
            key = self.sel.get_key(self.out_fd)
        except KeyError:
            if events:
                self.sel.register(self.out_fd, events, "stdout")
            return
        if not events:
            self.sel.unregister(self.out_fd)
        elif key.events != events:
            self.sel.modify(self.out_fd, events, "stdout")

    def _flush(self) -> None:
        try:
            written = os.write(self.out_fd, self.outbuf)
        except BlockingIOError:
            return
        except BrokenPipeError:
            self.running = False
            return
        del self.outbuf[:written]
        self._watch_stdout()

    # -- requests ---------------------------------------------------------------------------
    def _read_stdin(self) -> None:
        chunk = os.read(0, READ_CHUNK)
        if not chunk:
            self.running = False
            return
        self.inbuf += chunk
        *lines, self.inbuf = self.inbuf.split(b"\n")
        for line in lines:
            if line.strip():
                self._request(line)

    def _request(self, line: bytes) -> None:
        try:
            request = parse_request(line)
        except ProtocolError as exc:
            self.send(error_message(str(exc), exc.attempt_id))
            return
        if request["type"] == "start":
            self._start(request)
        elif request["type"] == "kill":
            self._kill(request["id"], request["grace_s"])
        else:
            self.send(status_message(self.pid, threads(), sorted(self.children)))

    def _start(self, request: StartRequest) -> None:
        attempt_id = request["id"]
        if attempt_id in self.children:
            self.send(error_message("missing or duplicate id", attempt_id))
            return
        count = threads()
        if count != 1:
            self.send(error_message(f"refusing to fork: the host has {count} threads", attempt_id))
            return
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child never returns from here
            self._become_attempt(read_fd, write_fd, request)
        os.close(write_fd)
        pidfd = os.pidfd_open(pid)
        child = Child(attempt_id, pid, read_fd, pidfd, request["accounting"])
        self.children[attempt_id] = child
        self.sel.register(read_fd, selectors.EVENT_READ, ("out", child))
        self.sel.register(pidfd, selectors.EVENT_READ, ("exit", child))
        self.send(started_message(attempt_id, pid))

    def _become_attempt(self, read_fd: int, write_fd: int, request: StartRequest) -> None:
        code = 70
        try:
            os.setsid()
            # If the host dies, so does the attempt (and the host dies with its worker).
            self.libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != self.pid:
                os._exit(code)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                signal.signal(sig, signal.SIG_DFL)
            self.sel.close()
            for other in self.children.values():
                for fd in (other.out_fd, other.pidfd):
                    if fd is not None:
                        os.close(fd)
            os.close(read_fd)
            os.close(self.out_fd)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(write_fd, 1)
            os.dup2(write_fd, 2)
            os.close(devnull)
            os.close(write_fd)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            sys.argv = ["aider"]
            code = run_attempt(
                ["--message", request["message"], *request["argv"]],
                request["accounting"],
                request["tags_cache"],
                request["retry_timeout_s"],
            )
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)

    def _kill(self, attempt_id: str, grace_s: float) -> None:
        child = self.children.get(attempt_id)
        if child is None:
            return
        killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        child.kill_at = deadline if child.kill_at is None else min(child.kill_at, deadline)

    # -- children ---------------------------------------------------------------------------
    def _output(self, child: Child) -> None:
        assert child.out_fd is not None
        chunk = os.read(child.out_fd, READ_CHUNK)
        if not chunk:
            self._close_output(child)
            return
        data = child.pending + chunk
        *lines, rest = data.split(b"\n")
        while len(rest) > MAX_LINE_BYTES:
            lines.append(rest[:MAX_LINE_BYTES])
            rest = rest[MAX_LINE_BYTES:]
        child.pending = rest
        for raw in lines:
            self._line(child, raw)

    def _line(self, child: Child, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace").rstrip("\r")
        self.send(output_message(child.id, line), droppable=True)

    def _close_output(self, child: Child) -> None:
        if child.out_fd is None:
            return
        if child.pending:
            self._line(child, child.pending)
            child.pending = b""
        self.sel.unregister(child.out_fd)
        os.close(child.out_fd)
        child.out_fd = None
        self._maybe_done(child)

    def _reap(self, child: Child) -> None:
        assert child.pidfd is not None
        _pid, status = os.waitpid(child.pid, 0)
        self.sel.unregister(child.pidfd)
        os.close(child.pidfd)
        child.pidfd = None
        child.status = status
        child.exited_at = time.monotonic()
        # Whatever the attempt left running (git, an editor) would hold the output pipe open.
        killpg(child.pid, signal.SIGKILL)
        self._maybe_done(child)

    def _maybe_done(self, child: Child) -> None:
        if child.status is None or child.out_fd is not None:
            return
        del self.children[child.id]
        status = child.status
        try:
            accounting = json.loads(Path(child.accounting).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            accounting = None
        if self.dropped:
            dropped = f"[aider host: {self.dropped} output line(s) dropped]"
            self.send(output_message(child.id, dropped))
            self.dropped = 0
        self.send(
            result_message(
                child.id,
                exit_code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                accounting=accounting,
                duration_s=round(time.monotonic() - child.started, 4),
            )
        )

    def _timers(self) -> float | None:
        now = time.monotonic()
        wake: float | None = None
        for child in list(self.children.values()):
            if child.kill_at is not None and child.status is None:
                if now >= child.kill_at:
                    killpg(child.pid, signal.SIGKILL)
                    child.kill_at = None
                else:
                    wake = min(wake or 1e9, child.kill_at - now)
            if child.exited_at is not None and child.out_fd is not None:
                if now - child.exited_at >= EOF_AFTER_EXIT_S:
                    self._close_output(child)  # an escaped process holds the pipe: stop waiting
                else:
                    wake = min(wake or 1e9, EOF_AFTER_EXIT_S - (now - child.exited_at))
        return wake

    def serve(self) -> None:
        """Serve until stdin closes (the client is gone), then kill every child's group."""
        os.set_blocking(self.out_fd, False)
        self.sel.register(0, selectors.EVENT_READ, "stdin")
        self._watch_stdout()
        while self.running or self.outbuf:
            if not self.running and not self.outbuf:
                break
            for key, _events in self.sel.select(self._timers()):
                tag = key.data
                if tag == "stdin":
                    self._read_stdin()
                    if not self.running:
                        self.sel.unregister(0)
                elif tag == "stdout":
                    self._flush()
                elif tag[0] == "out":
                    self._output(tag[1])
                else:
                    self._reap(tag[1])
            if not self.running:
                break
        for child in self.children.values():
            killpg(child.pid, signal.SIGKILL)
