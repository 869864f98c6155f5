"""The AsyncAPI 3 document of the bus and of the gateway's WebSocket channels, generated from
the contracts (checked in as `contracts/asyncapi.json`; a test keeps it in sync and has the
AsyncAPI parser validate it).

Channel addresses come from the subject builders in `subjects.py`, called with `{name}`
placeholders; payloads are the contract models' JSON Schemas under `components.schemas`.
"""

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from devteam_contracts.audit import AuditRecord
from devteam_contracts.commands import (
    CompleteCommand,
    ImplementCommand,
    PrepCommand,
    SelectCommand,
    VerifyCommand,
)
from devteam_contracts.events import Event, EventBase, EventFrame, Heartbeat
from devteam_contracts.schema import definitions
from devteam_contracts.status import StatusReport
from devteam_contracts.subjects import (
    STATUS_SUBJECT,
    TASKS_SERVICE,
    Stage,
    audit_subject,
    command_subject,
    event_subject,
    live_event_subject,
    tasks_rpc_subject,
)
from devteam_contracts.tasks import TasksReply, TasksRequest

DOCUMENT = Path(__file__).resolve().parents[2] / "asyncapi.json"
REF = "#/components/schemas/{model}"

COMMANDS: dict[Stage, type[BaseModel]] = {
    Stage.SELECT: SelectCommand,
    Stage.PREP: PrepCommand,
    Stage.IMPLEMENT: ImplementCommand,
    Stage.VERIFY: VerifyCommand,
    Stage.COMPLETE: CompleteCommand,
}
# Which services publish and consume each stage's commands.
COMMAND_FLOW: dict[Stage, tuple[str, str]] = {
    Stage.SELECT: (
        "the gateway (a new run), admission, and the selector after COMPLETE",
        "selector",
    ),
    Stage.PREP: ("the selector (SELECT)", "prep"),
    Stage.IMPLEMENT: ("prep, and verify for a repair (the gateway in step mode)", "implement"),
    Stage.VERIFY: ("implement (the gateway in step mode)", "verify"),
    Stage.COMPLETE: ("verify", "selector"),
}
EVENT_MEMBERS: tuple[type[EventBase], ...] = get_args(get_args(Event)[0])
NAMED_UNIONS: dict[str, Any] = {"Event": Event, "AuditRecord": AuditRecord}
SERVERS = {
    "nats": {"host": "localhost:4222", "protocol": "nats",
             "description": "The NATS server or cluster `devteam up` starts."},
    "gateway": {"host": "localhost:8000", "protocol": "ws",
                "description": "The gateway (`devteam up --port`)."},
}  # fmt: skip
PARAMETERS = {
    "tenant": "The tenant's id.",
    "project": "The project's id (`prj-…`).",
    "run": "The run's id (`run-…`).",
}


def _asyncapi_schema(node: Any) -> Any:
    """JSON Schema as AsyncAPI's schema object takes it: a discriminator is the property's
    name (OpenAPI's `{propertyName, mapping}` object is not)."""
    if isinstance(node, dict):
        out = {key: _asyncapi_schema(value) for key, value in node.items()}
        if isinstance(out.get("discriminator"), dict):
            out["discriminator"] = out["discriminator"]["propertyName"]
        return out
    if isinstance(node, list):
        return [_asyncapi_schema(item) for item in node]
    return node


def _schemas() -> dict[str, Any]:
    """Every schema a message uses, by name, refs pointing into `components.schemas`."""
    models: list[Any] = [
        *COMMANDS.values(),
        *EVENT_MEMBERS,
        EventFrame,
        Heartbeat,
        TasksRequest,
        TasksReply,
        StatusReport,
    ]
    schemas = definitions({**NAMED_UNIONS, **{m.__name__: m for m in models}}, REF)
    return {name: _asyncapi_schema(schemas[name]) for name in sorted(schemas)}


def _message(name: str, schema: str, summary: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "title": name,
        "summary": summary,
        "contentType": "application/json",
        "payload": {"$ref": REF.format(model=schema)},
        **extra,
    }


def _doc(model: Any) -> str:
    return " ".join((getattr(model, "__doc__", None) or "").split())


def _first_line(model: Any) -> str:
    text = (getattr(model, "__doc__", None) or "").strip()
    return " ".join(text.split("\n\n")[0].split())


def _params(address: str) -> dict[str, Any]:
    return {n: {"description": d} for n, d in PARAMETERS.items() if "{" + n + "}" in address}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _channel(address: str | None, messages: list[str], description: str, **extra: Any) -> Any:
    channel: dict[str, Any] = {
        "address": address,
        "description": description,
        "messages": {m: _ref("messages", m) for m in messages},
    }
    if address:
        channel["parameters"] = _params(address)
    return {**channel, **extra}


def _operation(action: str, channel: str, messages: list[str], summary: str, **extra: Any) -> Any:
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "summary": summary,
        "messages": [{"$ref": f"#/channels/{channel}/messages/{m}"} for m in messages],
        **extra,
    }


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document."""
    t, p, r = "{tenant}", "{project}", "{run}"
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    nats, gateway = [{"$ref": "#/servers/nats"}], [{"$ref": "#/servers/gateway"}]

    msg_id = {
        "type": "object",
        "properties": {
            "Nats-Msg-Id": {
                "type": "string",
                "description": (
                    "run/task/attempt/stage: JetStream drops a replay inside the duplicate window"
                ),
            }
        },
    }
    for stage, model in COMMANDS.items():
        name, channel = model.__name__, f"{stage.value}Commands"
        messages[name] = _message(name, name, _first_line(model), description=_doc(model),
                                  headers=msg_id)  # fmt: skip
        publishers, consumer = COMMAND_FLOW[stage]
        channels[channel] = _channel(
            command_subject(stage, t, p), [name],
            f"{stage.value.upper()} commands (stream DEVTEAM_CMD, work queue): one durable "
            f"consumer `devteam-{stage.value}` shared by every replica of {consumer}.",
            servers=nats,
        )  # fmt: skip
        operations[f"send{name}"] = _operation(
            "send", channel, [name], f"Published by {publishers}."
        )
        operations[f"receive{name}"] = _operation(
            "receive", channel, [name], f"Consumed by {consumer} (acked when settled)."
        )

    event_names = []
    for member in EVENT_MEMBERS:
        [event_type] = get_args(member.model_fields["type"].annotation)
        data = member.model_fields["data"].annotation
        messages[member.__name__] = _message(
            event_type.value, member.__name__, _first_line(data), description=_doc(data)
        )
        event_names.append(member.__name__)
    channels["runEvents"] = _channel(
        event_subject(t, p, r), event_names,
        "A run's events (stream DEVTEAM_EVT, kept by limits): replay from any sequence.",
        servers=nats,
    )  # fmt: skip
    channels["liveEvents"] = _channel(
        live_event_subject(t, p, r), event_names,
        "Each event once stored, republished by the stream (core NATS) with its sequence "
        "in the `Nats-Sequence` header: the gateways' live feeds.",
        servers=nats,
    )  # fmt: skip
    operations["sendRunEvent"] = _operation(
        "send", "runEvents", event_names, "Every stage publishes its task's milestones and logs."
    )
    operations["receiveLiveEvent"] = _operation(
        "receive", "liveEvents", event_names, "Each gateway's feed hands them to its sockets."
    )

    messages["AuditRecord"] = _message("AuditRecord", "AuditRecord",
                                       "Who did what, with what effect.")  # fmt: skip
    channels["audit"] = _channel(
        audit_subject(t), ["AuditRecord"],
        "A tenant's audit trail (stream DEVTEAM_AUDIT: no delete, no purge).", servers=nats,
    )  # fmt: skip
    operations["sendAuditRecord"] = _operation(
        "send", "audit", ["AuditRecord"], "The gateway and the stages record what they did."
    )

    for name, model in (("TasksRequest", TasksRequest), ("TasksReply", TasksReply)):
        messages[name] = _message(name, name, _first_line(model))
    channels["tasksRpc"] = _channel(
        tasks_rpc_subject(t, p), ["TasksRequest"],
        "Request/reply: the selector (queue group `devteam-selector`) reads a project's task "
        f"list for the gateway. Served as the NATS micro service `{TASKS_SERVICE}` "
        "(`$SRV.PING|INFO|STATS` find its replicas and their request counts).",
        servers=nats,
    )  # fmt: skip
    channels["tasksRpcReply"] = _channel(
        None, ["TasksReply"], "The requester's reply inbox.", servers=nats
    )
    operations["requestTasks"] = _operation(
        "send", "tasksRpc", ["TasksRequest"], "The gateway asks for a project's task list.",
        reply={"channel": {"$ref": "#/channels/tasksRpcReply"},
               "messages": [{"$ref": "#/channels/tasksRpcReply/messages/TasksReply"}]},
    )  # fmt: skip

    messages["StatusRequest"] = {
        "name": "StatusRequest",
        "title": "StatusRequest",
        "summary": "Anyone there? (an empty body)",
        "payload": {"type": "string", "maxLength": 0},
    }
    messages["StatusReport"] = _message("StatusReport", "StatusReport", _first_line(StatusReport))
    channels["status"] = _channel(
        STATUS_SUBJECT, ["StatusRequest"],
        "Every service process answers with who it is and how busy (`devteam status`).",
        servers=nats,
    )  # fmt: skip
    channels["statusReply"] = _channel(None, ["StatusReport"], "The asker's inbox.", servers=nats)
    operations["surveyStatus"] = _operation(
        "send", "status", ["StatusRequest"], "`devteam status` collects every answer for 1 s.",
        reply={"channel": {"$ref": "#/channels/statusReply"},
               "messages": [{"$ref": "#/channels/statusReply/messages/StatusReport"}]},
    )  # fmt: skip

    for name, model in (("EventFrame", EventFrame), ("Heartbeat", Heartbeat)):
        messages[name] = _message(name, name, _first_line(model))
    query = {
        "type": "object",
        "properties": {
            "after": {"type": "integer", "minimum": 0, "description":
                      "Replay the events after this sequence first (0: all), then live."},
            "heartbeat_s": {"type": "number", "minimum": 0.5, "maximum": 300, "description":
                            "Seconds of quiet before a heartbeat frame (default 15)."},
        },
    }  # fmt: skip
    ws = {"ws": {"method": "GET", "query": query, "bindingVersion": "0.1.0"}}
    sockets = {
        "runSocket": ("/v1/runs/{run_id}/events", "One run's frames; closes (1000) after its "
                      "terminal event."),
        "projectSocket": ("/v1/projects/{project_id}/events", "Every run of one project."),
        "tenantSocket": ("/v1/events", "Every run of every project of the caller's tenant."),
    }  # fmt: skip
    for channel, (path, what) in sockets.items():
        params = {
            n: {"description": f"The {n.split('_')[0]}'s id."}
            for n in ("run_id", "project_id")
            if "{" + n + "}" in path
        }
        channels[channel] = {
            "address": path,
            "description": f"{what} Authenticate with `Authorization: Bearer <token>` or the "
            "`bearer.<token>` subprotocol. Frames are `{seq, event}`; a quiet socket gets "
            "heartbeats; resume with `after=<last seq>`: nothing lost or repeated.",
            "messages": {m: _ref("messages", m) for m in ("EventFrame", "Heartbeat")},
            "servers": gateway,
            "bindings": ws,
            **({"parameters": params} if params else {}),
        }
        operations[f"{channel}Frames"] = _operation(
            "send", channel, ["EventFrame", "Heartbeat"], "The gateway streams frames to clients."
        )

    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "DevTeam Runner: the bus and the event sockets",
            "version": version("devteam-contracts"),
            "description": "Stage commands, run events, audit records and request/reply "
            "subjects on NATS JetStream, and the gateway's WebSocket event streams. Generated "
            "from `devteam_contracts` (python -m devteam_contracts.asyncapi).",
        },
        "defaultContentType": "application/json",
        "servers": SERVERS,
        "channels": channels,
        "operations": operations,
        "components": {"schemas": _schemas(), "messages": messages},
    }


def render() -> str:
    """The document as checked in."""
    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    """Write `contracts/asyncapi.json`."""
    DOCUMENT.write_text(render())


if __name__ == "__main__":
    main()
