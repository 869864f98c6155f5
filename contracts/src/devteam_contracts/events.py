"""Run events: what clients see over WebSocket and operators replay from the events stream."""

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from devteam_contracts.base import Strict
from devteam_contracts.ids import ProjectId, RunId, TaskId, TenantId
from devteam_contracts.subjects import Stage


class EventType(StrEnum):
    """Kinds of run events, roughly in pipeline order."""

    RUN_QUEUED = "run.queued"
    RUN_ADMITTED = "run.admitted"
    TASK_SELECTED = "task.selected"
    TASK_PREPARED = "task.prepared"
    TASK_IMPLEMENTING = "task.implementing"
    TASK_IMPLEMENTED = "task.implemented"
    TASK_ATTEMPT_FAILED = "task.attempt_failed"
    TASK_VERIFYING = "task.verifying"
    TASK_VERIFIED = "task.verified"
    TASK_REPAIR = "task.repair"
    TASK_COMPLETED = "task.completed"
    LOG = "log"
    RUN_COMPLETED = "run.completed"
    RUN_FAILED = "run.failed"
    RUN_CANCELLED = "run.cancelled"
    RUN_BLOCKED = "run.blocked"
    RUN_PAUSED = "run.paused"

    @property
    def terminal(self) -> bool:
        """True for the last event a run publishes."""
        return self in (
            EventType.RUN_COMPLETED,
            EventType.RUN_FAILED,
            EventType.RUN_CANCELLED,
            EventType.RUN_BLOCKED,
        )


class Event(Strict):
    """One run event. `data` holds type-specific details (SHAs, durations, log text)."""

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
    data: dict[str, Any] = Field(default_factory=dict)
    queue_ms: float | None = Field(
        default=None,
        description="Published by a stage: how long the command it works on waited for a "
        "worker (in the commands stream).",
    )


class EventFrame(Strict):
    """A WebSocket frame: the event with its JetStream stream sequence (for `after=` resume)."""

    seq: int = Field(ge=1)
    event: Event


class AuditRecord(Strict):
    """Who did what, with what effect (the audit stream)."""

    version: Literal[1] = 1
    at: datetime
    tenant: str
    actor: str = Field(description="`token:<id>` for API calls, `service:<stage>` for workers.")
    action: str
    target: str
    outcome: str
    detail: dict[str, Any] = Field(default_factory=dict)
    request_id: str | None = Field(
        default=None, description="The API request behind it (`X-Request-Id`), if any."
    )


class AuditFrame(Strict):
    """One audit record with its stream sequence (page on with `after=`)."""

    seq: int = Field(ge=1)
    record: AuditRecord


class AuditPage(Strict):
    """`GET /v1/audit`: records in order; `next_after` continues the listing (null: no more)."""

    records: list[AuditFrame]
    next_after: int | None = None
