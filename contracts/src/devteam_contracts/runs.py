"""Runs: one walk through a project's task list, and its state as stored and served."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from devteam_contracts.base import Strict
from devteam_contracts.ids import ProjectId, RunId, TaskId, TenantId
from devteam_contracts.subjects import Stage


class RunMode(StrEnum):
    """`continuous` walks the list until done; `single` does one task."""

    CONTINUOUS = "continuous"
    SINGLE = "single"


class RunStatus(StrEnum):
    """Lifecycle of a run; every state but queued/running is terminal."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    BLOCKED = "blocked"

    @property
    def terminal(self) -> bool:
        """True once the run can no longer change."""
        return self not in (RunStatus.QUEUED, RunStatus.RUNNING)


class RunCreate(Strict):
    """`POST /v1/projects/{project_id}/runs` body."""

    mode: RunMode = RunMode.CONTINUOUS
    max_tasks: int | None = Field(
        default=None, ge=1, le=10_000, description="Stop after this many tasks (continuous)."
    )


class TaskDone(Strict):
    """A task this run finished and integrated."""

    id: TaskId
    title: str
    commit: str = Field(description="SHA of the task's commit on the target branch.")


class CurrentTask(Strict):
    """What the run is doing right now."""

    id: TaskId
    title: str
    stage: Stage
    attempt: int = Field(ge=1, description="1 for the first implementation, +1 per repair.")


class Failure(Strict):
    """Why a run failed (stop-on-error)."""

    stage: Stage
    task_id: TaskId | None = None
    reason: str
    output_tail: str = Field(default="", description="The last output of the failing step.")


class BlockedTask(Strict):
    """An open task that cannot be selected, and why."""

    task_id: str
    line: int | None = None
    reason: str


class RunState(Strict):
    """A run as stored in the runs bucket and returned by `GET /v1/runs/{id}`."""

    id: RunId
    tenant: TenantId
    project_id: ProjectId
    mode: RunMode
    state: RunStatus
    created_at: datetime
    updated_at: datetime
    tasks_done: list[TaskDone] = Field(default_factory=list)
    current: CurrentTask | None = None
    failure: Failure | None = None
    blocked: list[BlockedTask] = Field(
        default_factory=list, description="When `blocked`: each open task and what it waits for."
    )
    max_tasks: int | None = None
    selections: int = Field(default=0, description="How many SELECTs this run has made.")


class RunAccepted(Strict):
    """`202` answer to starting a run."""

    run_id: RunId
    state: RunStatus
