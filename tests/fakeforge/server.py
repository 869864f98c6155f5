"""The fake forge's HTTP side: parse, check against the description, authenticate, answer."""

import contextlib
import hmac
import json
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from . import gitea, github, gitlab, specs
from .model import KINDS, Failure, Incoming, Kind, Recorded, Reply

if TYPE_CHECKING:
    from . import FakeForge

# Where each forge's API is rooted on the fake (what follows is as on the real forge).
ROOTS: dict[Kind, str] = {"github": "/github", "gitlab": "/gitlab/api/v4", "gitea": "/gitea/api/v1"}
CREDENTIAL_HEADERS = frozenset({"authorization", "private-token", "sudo", "x-gitea-otp"})
HANDLERS = {"github": github.handle, "gitlab": gitlab.handle, "gitea": gitea.handle}


def unauthorized(kind: Kind) -> Reply:
    if kind == "github":
        return Reply(
            401,
            {
                "message": "Bad credentials",
                "documentation_url": "https://docs.github.com/rest",
                "status": "401",
            },
        )
    if kind == "gitlab":
        return Reply(401, {"message": "401 Unauthorized"})
    return Reply(401, {"message": "invalid username, password or token", "url": ""})


def refused(kind: Kind, found: bool, errors: list[str]) -> Reply:
    """The answer to a request its forge's description does not allow."""
    if not found:
        return Reply(404, {"message": "Not Found", "fake_forge": errors})
    if kind == "gitlab":
        return Reply(400, {"error": "; ".join(errors), "fake_forge": errors})
    if kind == "github":
        return Reply(
            422,
            {
                "message": "Invalid request.",
                "fake_forge": errors,
                "documentation_url": "https://docs.github.com/rest/pulls/pulls",
            },
        )
    return Reply(422, {"message": "; ".join(errors), "url": "", "fake_forge": errors})


def injected(kind: Kind, failure: Failure) -> Reply:
    if failure.json_body is not None:
        return Reply(failure.status, failure.json_body, failure.headers)
    if failure.status == 401:
        return unauthorized(kind)
    message = f"fake forge: injected {failure.status}"
    if kind == "github":
        return Reply(
            failure.status,
            {"message": message, "documentation_url": "https://docs.github.com/rest"},
        )
    return Reply(failure.status, {"message": message})


def authorized(kind: Kind, headers: dict[str, str], token: str) -> bool:
    if kind == "gitlab":
        sent = headers.get("private-token", "")
    else:
        scheme, _, sent = headers.get("authorization", "").partition(" ")
        # GitHub takes "Bearer" and "token"; Gitea's description asks for "token".
        schemes = ("bearer", "token") if kind == "github" else ("token",)
        if scheme.lower() not in schemes:
            return False
    return bool(sent) and hmac.compare_digest(sent.strip().encode(), token.encode())


class ForgeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the forges
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms ACK waits
    forge: ClassVar["FakeForge"]

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are recorded in `forge.requests` instead

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        kind = next(
            (k for k in KINDS if parts.path == ROOTS[k] or parts.path.startswith(ROOTS[k] + "/")),
            None,
        )
        query = parse_qsl(parts.query, keep_blank_values=True)
        if kind is None:
            problem = f"no forge API at {self.command} {parts.path}"
            self._send(Reply(404, {"message": problem}))
            self.forge.record(
                Recorded(
                    "",
                    self.command,
                    parts.path,
                    dict(query),
                    None,
                    _public(headers),
                    False,
                    404,
                    False,
                    (problem,),
                )
            )
            return
        request = Incoming(
            kind,
            self.command,
            parts.path[len(ROOTS[kind]) :] or "/",
            query,
            headers,
            raw_body,
            headers.get("content-type", ""),
        )
        request.body = _parse_body(request)
        problems, found, described_credentials = specs.request_errors(request)
        ok = described_credentials and authorized(kind, headers, self.forge.token)
        failure = self.forge.take_failure(kind)
        if failure is not None:
            reply = injected(kind, failure)
        elif not ok:
            reply = unauthorized(kind)
        elif problems:
            reply = refused(kind, found, problems)
        else:
            try:
                reply = HANDLERS[kind](self.forge, request)
                problems += specs.response_errors(request, reply.status, reply.json, reply.headers)
            except Exception as error:  # a bug in the fake: say so rather than drop the line
                problems.append(f"fake forge crashed on {self.command} {parts.path}: {error!r}")
                reply = Reply(500, {"message": "fake forge crashed", "error": repr(error)})
        self.forge.record(
            Recorded(
                kind,
                self.command,
                request.path,
                dict(query),
                request.body,
                _public(headers),
                ok,
                reply.status,
                failure is not None,
                tuple(problems),
            )
        )
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        data = json.dumps(reply.json).encode()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()


def _public(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name not in CREDENTIAL_HEADERS}


def _parse_body(request: Incoming) -> Any:
    if not request.raw_body:
        return None
    media = request.content_type.split(";")[0].strip().lower()
    text = request.raw_body.decode("utf-8", "replace")
    if media == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text, keep_blank_values=True))
    try:
        return json.loads(text)
    except ValueError:
        return text
