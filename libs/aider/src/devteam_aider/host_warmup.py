"""The Aider host's warm-up: one attempt against a canned model, to learn what an attempt imports.

The attempt runs in a forked child, in a throw-away repository, against a model this process
serves itself on a loopback port (replies in `openai_replies`' shapes, over a minimal HTTP/1.1
server driven by the same kind of select loop as the host: no thread is started). The child
reports the modules it imported and the pydantic models it built (`host_preload`). Loaded by the
host (`aider_host.py`) in Aider's environment, so stdlib only.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .aider_driver import run_attempt
from .host_loop import READ_CHUNK, killpg
from .host_preload import built_since, lazy_models
from .openai_replies import chat_completion, sse_events, stream_chunks, token_usage

_WARM_FILE = "warm.py"
_WARM_EDIT = f'{_WARM_FILE}\n```\ndef warm():\n    return "warm"\n```\n'


def _http_reply(request: bytes) -> bytes:
    _head, _, body = request.partition(b"\r\n\r\n")
    try:
        stream = bool(json.loads(body or b"{}").get("stream"))
    except ValueError:
        stream = False
    if stream:
        chunks = stream_chunks(_WARM_EDIT, "warm", reply_id="warm", created=0)
        payload = "".join(sse_events(chunks)).encode()
        ctype = b"text/event-stream"
    else:
        reply = chat_completion("warm up", "warm", token_usage(1, 1), reply_id="warm", created=0)
        payload = json.dumps(reply).encode()
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


def warm_up() -> tuple[list[str], str | None]:
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
            lazy = lazy_models()
            code = run_attempt(argv, str(work / "acc.json"), str(work / "tags"), 0.1)
            built = built_since(lazy)
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
                killpg(pid, signal.SIGKILL)
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
