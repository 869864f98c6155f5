"""Publishing events, audit records and stage commands."""

import logging
import uuid
from contextvars import ContextVar

from devteam_bus.connection import Bus
from devteam_bus.kv import now
from devteam_contracts.audit import AuditDetail, make_audit
from devteam_contracts.commands import CommandBase, SelectCommand, TaskCommand
from devteam_contracts.event_data import EventData
from devteam_contracts.events import make_event
from devteam_contracts.runs import RunState
from devteam_contracts.subjects import (
    Stage,
    audit_subject,
    command_subject,
    event_subject,
    msg_id,
)

log = logging.getLogger(__name__)

# Set by the stage worker while it handles a command: how long that command waited in the
# commands stream before a worker took it. Events published meanwhile carry it (`queue_ms`).
command_queue_ms: ContextVar[float | None] = ContextVar("command_queue_ms", default=None)
# Set by the gateway for each API request; audit records written meanwhile carry it.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


async def publish_command(bus: Bus, stage: Stage, cmd: CommandBase) -> None:
    """Publish `cmd` to `stage` with `Nats-Msg-Id` = run/task/attempt/stage (dedup on replay)."""
    if isinstance(cmd, TaskCommand):
        mid = msg_id(cmd.run_id, cmd.task.id, cmd.attempt, stage)
    elif isinstance(cmd, SelectCommand):
        mid = msg_id(cmd.run_id, f"select-{cmd.selection}", 1, stage)
    else:  # pragma: no cover - every command is one of the two
        raise TypeError(f"unknown command type {type(cmd).__name__}")
    subject, data = command_subject(stage, cmd.tenant, cmd.project_id), cmd.model_dump_json()
    await bus.retrying(
        lambda: bus.js.publish(subject, data.encode(), headers={"Nats-Msg-Id": mid}),
        f"publishing {mid}",
    )


async def publish_event(
    bus: Bus,
    run: RunState,
    data: EventData,
    *,
    stage: Stage | None = None,
    task_id: str | None = None,
    attempt: int | None = None,
    message: str = "",
    dedup_id: str | None = None,
) -> int:
    """Publish one run event, of the type of its payload `data`; returns its stream sequence.

    `dedup_id` makes a redelivered stage publish the same milestone event only once.
    """
    event = make_event(
        data,
        run_id=run.id,
        tenant=run.tenant,
        project_id=run.project_id,
        at=now(),
        stage=stage,
        task_id=task_id,
        attempt=attempt,
        message=message,
        queue_ms=command_queue_ms.get(),
    )
    # Every event has an id, so a retry of a publish that did land is dropped as a duplicate.
    mid = f"{run.id}/{dedup_id}" if dedup_id else f"{run.id}/{uuid.uuid4().hex}"
    subject, payload = event_subject(run.tenant, run.project_id, run.id), event.model_dump_json()
    ack = await bus.retrying(
        lambda: bus.js.publish(subject, payload.encode(), headers={"Nats-Msg-Id": mid}),
        f"publishing {data.TYPE.value} of {run.id}",
    )
    return int(ack.seq)


async def publish_task_event(
    bus: Bus,
    run: RunState,
    cmd: TaskCommand,
    stage: Stage,
    message: str,
    data: EventData,
) -> int:
    """Publish a milestone of one task's attempt at a stage, once (deduplicated by type, task
    and attempt, so a redelivered command does not repeat it)."""
    return await publish_event(
        bus,
        run,
        data,
        stage=stage,
        task_id=cmd.task.id,
        attempt=cmd.attempt,
        message=message,
        dedup_id=f"{data.TYPE.value}-{cmd.task.id}-{cmd.attempt}",
    )


async def publish_audit(
    bus: Bus,
    tenant: str,
    actor: str,
    action: str,
    target: str,
    outcome: str,
    detail: AuditDetail | None = None,
) -> None:
    """Append a record to the audit stream (deny-delete, deny-purge)."""
    record = make_audit(
        action,
        detail,
        at=now(),
        tenant=tenant,
        actor=actor,
        target=target,
        outcome=outcome,
        request_id=request_id.get(),
    )
    mid = f"audit/{uuid.uuid4().hex}"
    data = record.model_dump_json().encode()
    await bus.retrying(
        lambda: bus.js.publish(audit_subject(tenant), data, headers={"Nats-Msg-Id": mid}),
        f"recording {action}",
    )
