"""The Aider host: imports Aider once, then forks one fresh child per attempt.

Executed by the *aider environment's* python (`python -I -u aider_host.py`), never imported by
the workspace. Start-up imports Aider and litellm, runs one warm-up attempt in a forked child
against a canned model served by this process (so every module a real attempt needs is known),
imports those modules here, then reports `ready`. From then on each `start` forks a child that
runs `aider_driver.run_attempt` in its own session, with only the environment, directory and
arguments of that request: no chat, key, repository or model state exists in the host to carry
over, because the host itself never runs an attempt.

The host never starts a thread (BLAS pools are held at one thread before numpy is imported) and
checks `/proc/self/task` before every fork, refusing to fork otherwise: forking a process with
threads can deadlock the child on a lock another thread held.

Protocol: JSON lines, version `PROTOCOL`, on stdin (requests) and stdout (messages); every
message carries `v` and `type`, attempt messages an `id` chosen by the client.

    → start  {id, argv, cwd, env, message, accounting, tags_cache, retry_timeout_s}
    ← started {id, pid}        ← output {id, line}*        ← result {id, exit_code, signal,
                                                                      accounting, duration_s}
    → kill   {id, grace_s}     (SIGTERM to the child's process group, SIGKILL after grace_s)
    → status                   ← status {pid, threads, attempts}
    ← error  {id?, message}    (a request that could not be served)

End of stdin means the client is gone: every child's group is killed and the host exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import importlib
import importlib.util
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

PROTOCOL = 1
READ_CHUNK = 65536
MAX_LINE_BYTES = 16384
MAX_PENDING_OUTPUT = 32 * 1024 * 1024
EOF_AFTER_EXIT_S = 2.0
_PR_SET_PDEATHSIG = 1


def threads() -> int:
    """OS threads of this process (C extensions can start threads Python does not know of)."""
    return len(os.listdir("/proc/self/task"))


def _load_driver() -> Any:
    path = Path(__file__).with_name("aider_driver.py")
    spec = importlib.util.spec_from_file_location("devteam_aider_driver", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


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

    def __init__(self, driver: Any, out_fd: int) -> None:
        self.driver = driver
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
    def send(self, message: dict[str, Any], droppable: bool = False) -> None:
        if droppable and len(self.outbuf) > MAX_PENDING_OUTPUT:
            self.dropped += 1
            return
        self.outbuf += json.dumps({"v": PROTOCOL, **message}).encode() + b"\n"
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
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("a request is a JSON object")
        except ValueError as exc:
            self.send({"type": "error", "message": f"bad request: {exc}"})
            return
        attempt_id = request.get("id")
        if request.get("v") != PROTOCOL:
            self.send({"type": "error", "id": attempt_id,
                       "message": f"protocol {request.get('v')!r} is not {PROTOCOL}"})  # fmt: skip
            return
        kind = request.get("type")
        if kind == "start":
            self._start(request)
        elif kind == "kill":
            self._kill(str(attempt_id), float(request.get("grace_s", 5)))
        elif kind == "status":
            self.send({"type": "status", "pid": self.pid, "threads": threads(),
                       "attempts": sorted(self.children)})  # fmt: skip
        else:
            self.send({"type": "error", "id": attempt_id, "message": f"unknown type {kind!r}"})

    def _start(self, request: dict[str, Any]) -> None:
        attempt_id = request.get("id")
        try:
            argv = [str(a) for a in request["argv"]]
            env = {str(k): str(v) for k, v in dict(request["env"]).items()}
            cwd, message = str(request["cwd"]), str(request["message"])
            accounting, tags = str(request["accounting"]), str(request["tags_cache"])
            retry = float(request["retry_timeout_s"])
        except (KeyError, TypeError, ValueError) as exc:
            self.send({"type": "error", "id": attempt_id, "message": f"bad start: {exc!r}"})
            return
        if not isinstance(attempt_id, str) or attempt_id in self.children:
            self.send({"type": "error", "id": attempt_id, "message": "missing or duplicate id"})
            return
        count = threads()
        if count != 1:
            self.send({"type": "error", "id": attempt_id,
                       "message": f"refusing to fork: the host has {count} threads"})  # fmt: skip
            return
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child never returns from here
            self._become_attempt(
                read_fd, write_fd, argv, env, cwd, message, accounting, tags, retry
            )
        os.close(write_fd)
        pidfd = os.pidfd_open(pid)
        child = Child(attempt_id, pid, read_fd, pidfd, accounting)
        self.children[attempt_id] = child
        self.sel.register(read_fd, selectors.EVENT_READ, ("out", child))
        self.sel.register(pidfd, selectors.EVENT_READ, ("exit", child))
        self.send({"type": "started", "id": attempt_id, "pid": pid})

    def _become_attempt(
        self,
        read_fd: int,
        write_fd: int,
        argv: list[str],
        env: dict[str, str],
        cwd: str,
        message: str,
        accounting: str,
        tags: str,
        retry: float,
    ) -> None:
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
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(env)
            sys.argv = ["aider"]
            code = self.driver.run_attempt(["--message", message, *argv], accounting, tags, retry)
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
        _killpg(child.pid, signal.SIGTERM)
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
        self.send({"type": "output", "id": child.id, "line": line}, droppable=True)

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
        _killpg(child.pid, signal.SIGKILL)
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
            self.send({"type": "output", "id": child.id,
                       "line": f"[aider host: {self.dropped} output line(s) dropped]"})  # fmt: skip
            self.dropped = 0
        self.send(
            {
                "type": "result",
                "id": child.id,
                "exit_code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                "accounting": accounting,
                "duration_s": round(time.monotonic() - child.started, 4),
            }
        )

    def _timers(self) -> float | None:
        now = time.monotonic()
        wake: float | None = None
        for child in list(self.children.values()):
            if child.kill_at is not None and child.status is None:
                if now >= child.kill_at:
                    _killpg(child.pid, signal.SIGKILL)
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
            _killpg(child.pid, signal.SIGKILL)


def _killpg(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


# -- warm-up ---------------------------------------------------------------------------------
_WARM_FILE = "warm.py"
_WARM_EDIT = f'{_WARM_FILE}\n```\ndef warm():\n    return "warm"\n```\n'


def _http_reply(request: bytes) -> bytes:
    _head, _, body = request.partition(b"\r\n\r\n")
    try:
        stream = bool(json.loads(body or b"{}").get("stream"))
    except ValueError:
        stream = False
    base = {"id": "warm", "created": 0, "model": "warm"}
    if stream:
        chunks = [
            {**base, "object": "chat.completion.chunk",
             "choices": [{"index": 0, "delta": {"role": "assistant", "content": _WARM_EDIT},
                          "finish_reason": None}]},
            {**base, "object": "chat.completion.chunk",
             "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        ]  # fmt: skip
        payload = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
        payload += b"data: [DONE]\n\n"
        ctype = b"text/event-stream"
    else:
        payload = json.dumps(
            {**base, "object": "chat.completion",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": "warm up"},
                          "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        ).encode()  # fmt: skip
        ctype = b"application/json"
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype + b"\r\nContent-Length: "
        + str(len(payload)).encode() + b"\r\nConnection: close\r\n\r\n" + payload
    )  # fmt: skip


def _request_complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip() or 0)
    return True


def warm_up(driver: Any) -> tuple[list[str], str | None]:
    """Run one attempt in a forked child against a canned model served from here; return the
    modules that attempt imported (in import order) and an error text if it went wrong."""
    work = Path(tempfile.mkdtemp(prefix="aider-host-warmup-"))
    repo, home, modules_file = work / "repo", work / "home", work / "modules.txt"
    repo.mkdir()
    home.mkdir()
    (repo / _WARM_FILE).write_text("def warm():\n    pass\n", encoding="utf-8")
    git_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
               "GIT_CONFIG_NOSYSTEM": "1"}  # fmt: skip
    for args in (["init", "-q"], ["config", "user.name", "w"], ["config", "user.email", "w@w"],
                 ["add", "-A"],
                 ["commit", "-qm", "warm"]):  # fmt: skip
        subprocess.run(["git", *args], cwd=repo, env=git_env, check=True, capture_output=True)
    metadata = work / "metadata.json"
    metadata.write_text(json.dumps({"openai/warm": {
        "max_tokens": 4096, "max_input_tokens": 32000, "max_output_tokens": 4096,
        "input_cost_per_token": 0.0, "output_cost_per_token": 0.0,
        "litellm_provider": "openai", "mode": "chat"}}), encoding="utf-8")  # fmt: skip
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    env = {**git_env, "LANG": "C.UTF-8", "TERM": "dumb", "NO_COLOR": "1",
           "LITELLM_LOCAL_MODEL_COST_MAP": "True",
           "OPENAI_API_BASE": f"http://127.0.0.1:{server.getsockname()[1]}/v1",
           "OPENAI_API_KEY": "warm-up"}  # fmt: skip
    argv = [
        "--model", "openai/warm", "--weak-model", "openai/warm", "--edit-format", "whole",
        "--model-metadata-file", str(metadata), "--no-check-update", "--analytics-disable",
        "--no-show-release-notes", "--no-show-model-warnings", "--no-pretty",
        "--no-fancy-input", "--yes-always", "--no-auto-lint", "--no-auto-test",
        "--chat-history-file", str(work / "chat.md"), "--input-history-file",
        str(work / "input"), "--llm-history-file", str(work / "llm.txt"),
        "--message", f"Change {_WARM_FILE}", _WARM_FILE,
    ]  # fmt: skip
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            server.close()
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(devnull, fd)
            os.chdir(repo)
            os.environ.clear()
            os.environ.update(env)
            lazy = _lazy_models()
            code = driver.run_attempt(argv, str(work / "acc.json"), str(work / "tags"), 0.1)
            built = [f"{MODEL_MARK}{key}" for key, cls in lazy.items() if _complete(cls)]
            modules_file.write_text("\n".join([*sys.modules, *built]), encoding="utf-8")
        finally:
            os._exit(code)
    error = _serve_until_exit(server, pid)
    server.close()
    try:
        modules = modules_file.read_text(encoding="utf-8").split("\n")
    except OSError:
        modules = []
        error = error or "the warm-up attempt reported no modules"
    subprocess.run(["rm", "-rf", str(work)], check=False)
    return modules, error


def _serve_until_exit(server: socket.socket, pid: int, limit_s: float = 120) -> str | None:
    sel = selectors.DefaultSelector()
    pidfd = os.pidfd_open(pid)
    sel.register(server, selectors.EVENT_READ, "accept")
    sel.register(pidfd, selectors.EVENT_READ, "exit")
    buffers: dict[socket.socket, bytes] = {}
    deadline = time.monotonic() + limit_s
    try:
        while True:
            if time.monotonic() > deadline:
                _killpg(pid, signal.SIGKILL)
                os.kill(pid, signal.SIGKILL)
            for key, _ev in sel.select(1.0):
                if key.data == "exit":
                    _pid, status = os.waitpid(pid, 0)
                    ok = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
                    return None if ok else f"the warm-up attempt ended with status {status}"
                if key.data == "accept":
                    conn, _addr = server.accept()
                    conn.setblocking(False)
                    buffers[conn] = b""
                    sel.register(conn, selectors.EVENT_READ, "conn")
                    continue
                conn = key.fileobj  # type: ignore[assignment]
                assert isinstance(conn, socket.socket)
                chunk = conn.recv(READ_CHUNK)
                buffers[conn] += chunk
                if chunk and not _request_complete(buffers[conn]):
                    continue
                sel.unregister(conn)
                if chunk:
                    conn.setblocking(True)
                    conn.sendall(_http_reply(buffers[conn]))
                del buffers[conn]
                conn.close()
    finally:
        for conn in buffers:
            conn.close()
        sel.close()
        os.close(pidfd)


# A preload entry that names a pydantic model (`@module:qualname`) rather than a module.
MODEL_MARK = "@"


def _complete(cls: Any) -> bool:
    return bool(getattr(cls, "__pydantic_complete__", True))


def _lazy_models() -> dict[str, Any]:
    """Pydantic models whose schema is still to be built (on their first use)."""
    try:
        from pydantic import BaseModel
    except ImportError:
        return {}
    found: dict[str, Any] = {}
    for name, module in list(sys.modules.items()):
        for value in list(getattr(module, "__dict__", {}).values()):
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == name
                and not _complete(value)
            ):
                found[f"{name}:{value.__qualname__}"] = value
    return found


def _build_models(entries: list[str]) -> None:
    """Build the schemas of the models a real attempt builds (tenant-neutral: types only)."""
    for entry in entries:
        module_name, _, qualname = entry[len(MODEL_MARK) :].partition(":")
        obj: Any = sys.modules.get(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part, None)
        rebuild = getattr(obj, "model_rebuild", None)
        if rebuild is not None:
            with contextlib.suppress(Exception):
                rebuild()


def _import_all(modules: list[str]) -> int:
    imported = 0
    for name in modules:
        if (
            not name
            or name in sys.modules
            or name.startswith(("__main__", "devteam_aider", MODEL_MARK))
        ):
            continue
        try:
            importlib.import_module(name)
            imported += 1
        except Exception:  # noqa: S112 - a module that only imports in its own context is skipped
            continue
    return imported


def _warm_pure_caches() -> None:
    """Caches that hold no tenant data and cost real time per attempt if left cold: pygments'
    lexer look-up and the lexers of common languages (Aider's repo map tokenises with them),
    and the parse of Aider's bundled model metadata."""
    try:
        from pygments.lexers import guess_lexer_for_filename  # type: ignore[import-untyped]
        from pygments.util import ClassNotFound  # type: ignore[import-untyped]

        for name in ("a.py", "a.js", "a.ts", "a.tsx", "a.go", "a.rs", "a.java", "a.c", "a.cpp",
                     "a.rb", "a.php", "a.sh", "a.md", "a.json", "a.toml", "a.yaml", "a.html",
                     "a.css", "a.kt", "a.swift", "a.cs", "a.scala", "a.txt"):  # fmt: skip
            try:
                guess_lexer_for_filename(name, "")
            except ClassNotFound:
                continue
    except ImportError:
        pass
    try:
        import importlib_resources  # type: ignore[import-not-found]
        import json5  # type: ignore[import-not-found]

        bundled = importlib_resources.files("aider.resources").joinpath("model-metadata.json")
        text = bundled.read_text()
        parsed = json5.loads(text)
        original = json5.loads

        def loads(s, *args, **kwargs):  # type: ignore[no-untyped-def]
            if s == text and not args and not kwargs:
                return json.loads(json.dumps(parsed))  # a copy: callers may change it
            return original(s, *args, **kwargs)

        json5.loads = loads
    except (ImportError, OSError, ValueError):
        pass


PRELOAD_FILE = Path(sys.prefix) / "devteam-host-preload.txt"


def _preload_key(version: str) -> str:
    return f"aider {version} python {sys.version_info[0]}.{sys.version_info[1]}"


def _cached_modules(version: str) -> list[str] | None:
    try:
        key, *modules = PRELOAD_FILE.read_text(encoding="utf-8").split("\n")
    except OSError:
        return None
    return modules if key == _preload_key(version) else None


def _store_modules(version: str, modules: list[str]) -> None:
    # Best effort: a read-only environment just warms up at every start.
    tmp = PRELOAD_FILE.with_name(f"{PRELOAD_FILE.name}.{os.getpid()}")
    try:
        tmp.write_text("\n".join([_preload_key(version), *modules]), encoding="utf-8")
        os.replace(tmp, PRELOAD_FILE)
    except OSError:
        pass


def main() -> int:
    """Start up (import, warm up), report `ready`, then serve until stdin closes.

    The modules a real attempt imports are learnt from a warm-up attempt once and kept beside
    the environment (`PRELOAD_FILE`, keyed by the Aider and Python versions);
    `--write-preload` only does that (an install step) and exits.
    """
    started = time.monotonic()
    # Before anything imports numpy: its BLAS would start a thread pool, and the host must stay
    # single-threaded to fork safely.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    try:
        driver = _load_driver()
        import aider  # type: ignore[import-not-found]
        import aider.main  # type: ignore[import-not-found]
        import litellm  # type: ignore[import-not-found]  # noqa: F401

        version = str(getattr(aider, "__version__", "?"))
        modules, warm_error = _cached_modules(version), None
        if modules is None or "--write-preload" in sys.argv:
            modules, warm_error = warm_up(driver)
            if warm_error is None:
                _store_modules(version, modules)
            if "--write-preload" in sys.argv:
                print(warm_error or f"wrote {PRELOAD_FILE} ({len(modules)} modules)")
                return 1 if warm_error else 0
        imported = _import_all(modules)
        _build_models([m for m in modules if m.startswith(MODEL_MARK)])
        _warm_pure_caches()
    except BaseException as exc:  # report why, then exit: the client falls back to the CLI
        why = f"aider host cannot start: {type(exc).__name__}: {exc}"
        print(json.dumps({"v": PROTOCOL, "type": "error", "message": why}), flush=True)
        return 1
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the worker, which stops us
    gc.collect()
    gc.freeze()  # children then share these pages instead of copying them on first GC
    ready = {
        "v": PROTOCOL, "type": "ready", "protocol": PROTOCOL, "pid": os.getpid(),
        "threads": threads(), "aider": version,
        "modules": len(sys.modules), "preloaded": imported, "warmup_error": warm_error,
        "startup_s": round(time.monotonic() - started, 3),
    }  # fmt: skip
    print(json.dumps(ready), flush=True)
    # The protocol gets its own descriptor; anything an imported module prints goes to stderr.
    out_fd = os.dup(1)
    os.dup2(2, 1)
    Host(driver, out_fd).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
