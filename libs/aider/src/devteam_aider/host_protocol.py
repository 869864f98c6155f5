"""The Aider host's protocol: the typed JSON lines between the host and its client.

The host (`aider_host.py`, in Aider's environment) reads requests on its stdin and writes
messages on its stdout; the client (`host.py`, in the workspace) does the reverse. Both build
and read lines only through this module. Every line is one JSON object with `v` (`PROTOCOL`) and
`type`; attempt messages carry the `id` the client chose.

    → start  {id, argv, cwd, env, message, accounting, tags_cache, retry_timeout_s}
    ← started {id, pid}        ← output {id, line}*        ← result {id, exit_code, signal,
                                                                      accounting, duration_s}
    → kill   {id, grace_s}     (SIGTERM to the child's process group, SIGKILL after grace_s)
    → status                   ← status {pid, threads, attempts}
    ← error  {id?, message}    (a request that could not be served)

The host's first line is `ready` {protocol, pid, threads, aider, modules, preloaded,
warmup_error, startup_s}, or an `error` saying why it cannot start. End of stdin means the client
is gone. Stdlib only: the host loads it in an environment without the workspace's packages.
"""

from __future__ import annotations

import json
from typing import Any, Final, Literal, NotRequired, TypedDict, cast

PROTOCOL: Final = 1


class StartRequest(TypedDict):
    """Run one attempt: Aider's arguments, its directory, its whole environment, what to say."""

    v: int
    type: Literal["start"]
    id: str
    argv: list[str]
    cwd: str
    env: dict[str, str]
    message: str
    accounting: str
    tags_cache: str
    retry_timeout_s: float


class KillRequest(TypedDict):
    """End an attempt: SIGTERM to its process group, SIGKILL after `grace_s`."""

    v: int
    type: Literal["kill"]
    id: str
    grace_s: float


class StatusRequest(TypedDict):
    """Ask how the host is doing."""

    v: int
    type: Literal["status"]


Request = StartRequest | KillRequest | StatusRequest


class ReadyMessage(TypedDict):
    """The host has started: what it preloaded, how long it took, and whether it can fork."""

    v: int
    type: Literal["ready"]
    protocol: int
    pid: int
    threads: int
    aider: str
    modules: int
    preloaded: int
    warmup_error: str | None
    startup_s: float


class StartedMessage(TypedDict):
    """An attempt's child was forked."""

    v: int
    type: Literal["started"]
    id: str
    pid: int


class OutputMessage(TypedDict):
    """One line an attempt printed (stdout and stderr together)."""

    v: int
    type: Literal["output"]
    id: str
    line: str


class ResultMessage(TypedDict):
    """How an attempt's child ended, and the accounting it left (raw JSON, None if none)."""

    v: int
    type: Literal["result"]
    id: str
    exit_code: int | None
    signal: int | None
    accounting: Any
    duration_s: float


class StatusMessage(TypedDict):
    """The answer to `status`: the host's pid, its OS threads, the attempts it runs."""

    v: int
    type: Literal["status"]
    pid: int
    threads: int
    attempts: list[str]


class ErrorMessage(TypedDict):
    """A request that could not be served (with its attempt's id when it named one), or why
    the host cannot start."""

    v: int
    type: Literal["error"]
    id: NotRequired[str]
    message: str


Message = (
    ReadyMessage | StartedMessage | OutputMessage | ResultMessage | StatusMessage | ErrorMessage
)

# The fields a message must carry beyond `v` and `type`, by type.
_MESSAGE_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "ready": ("protocol", "pid", "threads", "aider", "modules", "preloaded", "warmup_error",
              "startup_s"),
    "started": ("id", "pid"),
    "output": ("id", "line"),
    "result": ("id", "exit_code", "signal", "accounting", "duration_s"),
    "status": ("pid", "threads", "attempts"),
    "error": ("message",),
}  # fmt: skip


class ProtocolError(ValueError):
    """A line that is not a message of this protocol; `attempt_id` is the attempt it named."""

    def __init__(self, message: str, attempt_id: str | None = None) -> None:
        super().__init__(message)
        self.attempt_id = attempt_id


def start_request(
    attempt_id: str,
    argv: list[str],
    cwd: str,
    env: dict[str, str],
    message: str,
    accounting: str,
    tags_cache: str,
    retry_timeout_s: float,
) -> StartRequest:
    """A `start` request."""
    return {"v": PROTOCOL, "type": "start", "id": attempt_id, "argv": argv, "cwd": cwd,
            "env": env, "message": message, "accounting": accounting, "tags_cache": tags_cache,
            "retry_timeout_s": retry_timeout_s}  # fmt: skip


def kill_request(attempt_id: str, grace_s: float) -> KillRequest:
    """A `kill` request."""
    return {"v": PROTOCOL, "type": "kill", "id": attempt_id, "grace_s": grace_s}


def status_request() -> StatusRequest:
    """A `status` request."""
    return {"v": PROTOCOL, "type": "status"}


def ready_message(
    pid: int,
    threads: int,
    aider: str,
    modules: int,
    preloaded: int,
    warmup_error: str | None,
    startup_s: float,
) -> ReadyMessage:
    """The host's `ready` line."""
    return {"v": PROTOCOL, "type": "ready", "protocol": PROTOCOL, "pid": pid, "threads": threads,
            "aider": aider, "modules": modules, "preloaded": preloaded,
            "warmup_error": warmup_error, "startup_s": startup_s}  # fmt: skip


def started_message(attempt_id: str, pid: int) -> StartedMessage:
    """A `started` message."""
    return {"v": PROTOCOL, "type": "started", "id": attempt_id, "pid": pid}


def output_message(attempt_id: str, line: str) -> OutputMessage:
    """An `output` message."""
    return {"v": PROTOCOL, "type": "output", "id": attempt_id, "line": line}


def result_message(
    attempt_id: str, exit_code: int | None, signal: int | None, accounting: Any, duration_s: float
) -> ResultMessage:
    """A `result` message."""
    return {"v": PROTOCOL, "type": "result", "id": attempt_id, "exit_code": exit_code,
            "signal": signal, "accounting": accounting, "duration_s": duration_s}  # fmt: skip


def status_message(pid: int, threads: int, attempts: list[str]) -> StatusMessage:
    """The answer to a `status` request."""
    return {"v": PROTOCOL, "type": "status", "pid": pid, "threads": threads, "attempts": attempts}


def error_message(message: str, attempt_id: str | None = None) -> ErrorMessage:
    """An `error` message, naming the attempt when there is one."""
    if attempt_id is None:
        return {"v": PROTOCOL, "type": "error", "message": message}
    return {"v": PROTOCOL, "type": "error", "id": attempt_id, "message": message}


def encode(message: Request | Message) -> bytes:
    """One line of the protocol."""
    return json.dumps(message).encode() + b"\n"


def parse_request(line: bytes) -> Request:
    """The request on a line from the client, its fields coerced to their types.

    Raises `ProtocolError` with the text for the `error` answer (and the attempt's id when the
    request named one) if the line is not a request this host can serve.
    """
    try:
        request = json.loads(line)
        if not isinstance(request, dict):
            raise ValueError("a request is a JSON object")
    except ValueError as exc:
        raise ProtocolError(f"bad request: {exc}") from exc
    raw_id = request.get("id")
    attempt_id = raw_id if isinstance(raw_id, str) else None
    if request.get("v") != PROTOCOL:
        raise ProtocolError(f"protocol {request.get('v')!r} is not {PROTOCOL}", attempt_id)
    kind = request.get("type")
    if kind == "start":
        return _start(request, attempt_id)
    if kind == "kill":
        try:
            grace_s = float(request.get("grace_s", 5))
        except (TypeError, ValueError) as exc:
            raise ProtocolError(f"bad kill: {exc!r}", attempt_id) from exc
        return kill_request(str(raw_id), grace_s)
    if kind == "status":
        return status_request()
    raise ProtocolError(f"unknown type {kind!r}", attempt_id)


def _start(request: dict[str, Any], attempt_id: str | None) -> StartRequest:
    try:
        argv = [str(a) for a in request["argv"]]
        env = {str(k): str(v) for k, v in dict(request["env"]).items()}
        cwd, message = str(request["cwd"]), str(request["message"])
        accounting, tags = str(request["accounting"]), str(request["tags_cache"])
        retry = float(request["retry_timeout_s"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolError(f"bad start: {exc!r}", attempt_id) from exc
    if attempt_id is None:
        raise ProtocolError("missing or duplicate id")
    return start_request(attempt_id, argv, cwd, env, message, accounting, tags, retry)


def parse_ready(line: bytes) -> ReadyMessage:
    """The host's first line, which must be `ready`; else `ProtocolError` says why it is not
    (with the host's own words when it says it cannot start)."""
    if not line:
        raise ProtocolError("no ready message (the host's output ended)")
    try:
        first = parse_message(line)
    except ProtocolError as exc:
        raise ProtocolError(f"no ready message ({exc})") from exc
    if first["type"] == "error":
        raise ProtocolError(first["message"])
    if first["type"] != "ready" or first["protocol"] != PROTOCOL:
        raise ProtocolError(f"unexpected first message {first!r}")
    return first


def parse_message(line: bytes) -> Message:
    """The message on a line from the host; `ProtocolError` if it is none of this protocol's
    (not a JSON object, another version, an unknown type, or a field missing)."""
    try:
        message = json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise ProtocolError("a message is a JSON object")
    kind = message.get("type")
    fields = _MESSAGE_FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        raise ProtocolError(f"unknown type {kind!r}")
    if message.get("v") != PROTOCOL:
        raise ProtocolError(f"protocol {message.get('v')!r} is not {PROTOCOL}")
    missing = [name for name in fields if name not in message]
    if missing:
        raise ProtocolError(f"a {kind} message without {', '.join(missing)}")
    return cast(Message, message)
