"""A real smart-HTTP git server for tests: `git http-backend` behind basic auth on loopback.

Every bare repository under `root` is served at `/<name>`; pushes are enabled for all of them
(`http.receivepack=true` is given to http-backend through `GIT_CONFIG_*`). Each request is
recorded with its path and whether credentials were sent, never the password itself.

`hold(pick)` stops the requests `pick` chooses (by request line and client port) at the door
until `release()`: a test holds one stage's git traffic, kills that stage mid-request, and
lets the orphaned git client finish.
"""

import base64
import contextlib
import hmac
import io
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import unquote, urlsplit

GIT = shutil.which("git") or "git"


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    method: str
    path: str
    query: str
    auth_sent: bool
    user: str | None  # the basic-auth user name that was sent, if any
    authorized: bool
    status: int


@dataclass
class GitHttpServer:
    """The running server; `requests` grows as clients talk to it."""

    root: Path
    user: str
    token: str
    port: int = 0
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pick: Callable[[str, int], bool] | None = None
    held: int = 0  # requests waiting at the door
    gate: threading.Event = field(default_factory=threading.Event)

    def hold(self, pick: Callable[[str, int], bool]) -> None:
        """From now on, hold every request for which `pick(request_line, client_port)`."""
        self.gate.clear()
        self.pick = pick

    def release(self) -> None:
        """Let the held requests go on, and hold no more."""
        self.pick = None
        self.gate.set()

    def wait_if_held(self, line: str, client_port: int) -> None:
        pick = self.pick
        if pick is None or not pick(line, client_port):
            return
        with self.lock:
            self.held += 1
        self.gate.wait(timeout=120)

    def url_for(self, repo_name: str) -> str:
        """URL of the repository `root/<repo_name>` (no credentials in it)."""
        return f"http://127.0.0.1:{self.port}/{repo_name}"

    def record(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)

    def seen(self) -> list[Request]:
        """A snapshot of the requests so far."""
        with self.lock:
            return list(self.requests)


@contextlib.contextmanager
def serve_git(root: Path, user: str, token: str) -> Iterator[GitHttpServer]:
    """Serve the bare repositories under `root` on a free 127.0.0.1 port while in the block."""
    state = GitHttpServer(root, user, token)
    handler = type("Handler", (_GitHandler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    # A short poll interval keeps `shutdown()` (and so each test's teardown) quick.
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="githttp", daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class _GitHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and curl may send chunked request bodies
    state: GitHttpServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are recorded in `state.requests` instead

    def _handle(self) -> None:
        self.state.wait_if_held(self.requestline, self.client_address[1])
        parts = urlsplit(self.path)
        user, authorized = self._check_auth()
        if not authorized:
            self._drain_body()
            status: int = HTTPStatus.UNAUTHORIZED
            body = b"authentication required\n"
            self.send_response(status)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            status = self._run_backend(unquote(parts.path), parts.query, user or "")
        self.state.record(
            Request(
                self.command,
                parts.path,
                parts.query,
                auth_sent="Authorization" in self.headers,
                user=user,
                authorized=authorized,
                status=status,
            )
        )

    def _check_auth(self) -> tuple[str | None, bool]:
        header = self.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None, False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            return None, False
        ok = hmac.compare_digest(user.encode(), self.state.user.encode()) and (
            hmac.compare_digest(password.encode(), self.state.token.encode())
        )
        return user, ok

    def _run_backend(self, path_info: str, query: str, user: str) -> int:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.state.root),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": "http.receivepack",
            "GIT_CONFIG_VALUE_0": "true",
            "GIT_PROJECT_ROOT": str(self.state.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path_info,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "REMOTE_USER": user,
            "REMOTE_ADDR": self.client_address[0],
        }
        if length := self.headers.get("Content-Length"):
            env["CONTENT_LENGTH"] = length
        # http-backend gunzips request bodies itself and reads the protocol version (v2).
        if encoding := self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = encoding
        if protocol := self.headers.get("Git-Protocol"):
            env["HTTP_GIT_PROTOCOL"] = protocol
        proc = subprocess.Popen(
            [GIT, "http-backend"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert proc.stdin is not None and proc.stdout is not None
        # Feed the body from another thread: the backend may answer before reading it all.
        feeder = threading.Thread(target=self._feed_body, args=(proc.stdin,), daemon=True)
        feeder.start()
        status = self._relay_response(cast(io.BufferedReader, proc.stdout))
        feeder.join(timeout=30)
        proc.wait(timeout=30)
        return status

    def _feed_body(self, sink: IO[bytes]) -> None:
        try:
            for chunk in self._body_chunks():
                sink.write(chunk)
        except BrokenPipeError:
            pass  # the backend stopped reading (it answered with an error)
        finally:
            with contextlib.suppress(BrokenPipeError):
                sink.close()

    def _body_chunks(self) -> Iterator[bytes]:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return
                yield self.rfile.read(size)
                self.rfile.readline()  # CRLF after each chunk
        remaining = int(self.headers.get("Content-Length") or 0)
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                return
            remaining -= len(chunk)
            yield chunk

    def _drain_body(self) -> None:
        for _ in self._body_chunks():
            pass

    def _relay_response(self, out: io.BufferedReader) -> int:
        status, headers = HTTPStatus.OK.value, []
        reason = ""
        while (line := out.readline().rstrip(b"\r\n")) != b"":
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "status":
                code, _, reason = value.strip().partition(" ")
                status = int(code)
            else:
                headers.append((name.strip(), value.strip()))
        self.send_response(status, reason or None)
        chunked = not any(name.lower() == "content-length" for name, _ in headers)
        for name, value in headers:
            self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while chunk := out.read1(65536):
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        return status
