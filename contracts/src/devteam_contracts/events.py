"""Run events: what clients see over WebSocket and operators replay from the events stream.

Every event type has its own model: the common envelope (`EventBase`) with `type` fixed to
one `EventType` and `data` its own payload model, documented field by field. `Event` is the
union of them all, discriminated by `type`, which is how a client narrows one to its payload.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from devteam_contracts.base import Strict
from devteam_contracts.event_data import (
    EventData,
    EventType,
    LogData,
    RunAdmittedData,
    RunBlockedData,
    RunCancelledData,
    RunCompletedData,
    RunFailedData,
    RunPausedData,
    RunQueuedData,
    TaskAttemptFailedData,
    TaskCompletedData,
    TaskImplementedData,
    TaskImplementingData,
    TaskPreparedData,
    TaskRepairData,
    TaskSelectedData,
    TaskVerifiedData,
    TaskVerifyingData,
)
from devteam_contracts.ids import ProjectId, RunId, TaskId, TenantId
from devteam_contracts.subjects import Stage

# --- the events --------------------------------------------------------------------------


class EventBase(Strict):
    """What every run event carries; `data` holds the type's own payload."""

    version: Literal[1] = 1
    type: EventType
    run_id: RunId
    tenant: TenantId
    project_id: ProjectId
    at: datetime
    stage: Stage | None = None
    task_id: TaskId | None = None
    attempt: int | None = None
    message: str = Field(default="", description="One human-readable line.")
    queue_ms: float | None = Field(
        default=None,
        description="Published by a stage: how long the command it works on waited for a "
        "worker (in the commands stream).",
    )


class RunQueued(EventBase):
    type: Literal[EventType.RUN_QUEUED]
    data: RunQueuedData


class RunAdmitted(EventBase):
    type: Literal[EventType.RUN_ADMITTED]
    data: RunAdmittedData


class TaskSelected(EventBase):
    type: Literal[EventType.TASK_SELECTED]
    data: TaskSelectedData


class TaskPrepared(EventBase):
    type: Literal[EventType.TASK_PREPARED]
    data: TaskPreparedData


class TaskImplementing(EventBase):
    type: Literal[EventType.TASK_IMPLEMENTING]
    data: TaskImplementingData


class TaskImplemented(EventBase):
    type: Literal[EventType.TASK_IMPLEMENTED]
    data: TaskImplementedData


class TaskAttemptFailed(EventBase):
    type: Literal[EventType.TASK_ATTEMPT_FAILED]
    data: TaskAttemptFailedData


class TaskVerifying(EventBase):
    type: Literal[EventType.TASK_VERIFYING]
    data: TaskVerifyingData


class TaskVerified(EventBase):
    type: Literal[EventType.TASK_VERIFIED]
    data: TaskVerifiedData


class TaskRepair(EventBase):
    type: Literal[EventType.TASK_REPAIR]
    data: TaskRepairData


class TaskCompleted(EventBase):
    type: Literal[EventType.TASK_COMPLETED]
    data: TaskCompletedData


class Log(EventBase):
    type: Literal[EventType.LOG]
    data: LogData


class RunCompleted(EventBase):
    type: Literal[EventType.RUN_COMPLETED]
    data: RunCompletedData


class RunFailed(EventBase):
    type: Literal[EventType.RUN_FAILED]
    data: RunFailedData


class RunCancelled(EventBase):
    type: Literal[EventType.RUN_CANCELLED]
    data: RunCancelledData


class RunBlocked(EventBase):
    type: Literal[EventType.RUN_BLOCKED]
    data: RunBlockedData


class RunPaused(EventBase):
    type: Literal[EventType.RUN_PAUSED]
    data: RunPausedData


Event = Annotated[
    RunQueued
    | RunAdmitted
    | TaskSelected
    | TaskPrepared
    | TaskImplementing
    | TaskImplemented
    | TaskAttemptFailed
    | TaskVerifying
    | TaskVerified
    | TaskRepair
    | TaskCompleted
    | Log
    | RunCompleted
    | RunFailed
    | RunCancelled
    | RunBlocked
    | RunPaused,
    Field(discriminator="type"),
]
"""One run event: narrow it by `type` to its payload."""

EVENTS: TypeAdapter[Event] = TypeAdapter(Event)


def parse_event(raw: bytes | str) -> Event:
    """An event from its JSON (`pydantic.ValidationError` when it is not one)."""
    return EVENTS.validate_json(raw)


def make_event(data: EventData, **envelope: Any) -> Event:
    """The event whose payload is `data` (its type is the payload's), with `envelope`'s
    common fields (`run_id`, `tenant`, `project_id`, `at`, …)."""
    return EVENTS.validate_python({**envelope, "type": data.TYPE, "data": data})


class EventFrame(Strict):
    """A WebSocket frame: the event with its JetStream stream sequence (for `after=` resume)."""

    seq: int = Field(ge=1)
    event: Event


class Heartbeat(Strict):
    """A WebSocket's keep-alive, sent when no event came for `heartbeat_s`."""

    heartbeat: Literal[True]
    seq: int = Field(ge=0, description="The last event sequence sent on this socket (0: none).")
    at: datetime
