"""Runs: one walk through a project's task list, and its state as stored and served."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from devteam_contracts.admission import QueueInfo
from devteam_contracts.base import Input, Strict
from devteam_contracts.commands import ImplementCommand, TaskCommand, VerifyCommand
from devteam_contracts.ids import ProjectId, RunId, TaskId, TenantId
from devteam_contracts.landing import PullRequestRef
from devteam_contracts.projects import RunBudget
from devteam_contracts.subjects import Stage
from devteam_contracts.usage import Usage


class RunMode(StrEnum):
    """`continuous` walks the list until done; `single` does one task; `step` does one task
    a stage at a time, pausing after PREP and IMPLEMENT until the client calls the next one
    (`POST /v1/projects/{id}/prep`, `/implement`, `/verify`)."""

    CONTINUOUS = "continuous"
    SINGLE = "single"
    STEP = "step"


class RunStatus(StrEnum):
    """Lifecycle of a run; every state but queued/running/paused is terminal."""

    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    BLOCKED = "blocked"

    @property
    def terminal(self) -> bool:
        """True once the run can no longer change."""
        return self not in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.PAUSED)


class RunCreate(Input):
    """`POST /v1/projects/{project_id}/runs` body."""

    mode: RunMode = RunMode.CONTINUOUS
    max_tasks: int | None = Field(
        default=None, ge=1, le=10_000, description="Stop after this many tasks (continuous)."
    )


class TaskDone(Strict):
    """A task this run finished and integrated."""

    id: TaskId
    title: str
    commit: str = Field(description="SHA of the task's commit on the branch it landed on.")
    attempts: int = Field(default=1, ge=1, description="IMPLEMENT attempts it took.")
    usage: Usage = Field(default_factory=Usage, description="Model usage of its attempts.")
    checks: list[str] = Field(default_factory=list, description="The checks it passed.")


class CurrentTask(Strict):
    """What the run is doing right now."""

    id: TaskId
    title: str
    stage: Stage
    attempt: int = Field(ge=1, description="1 for the first implementation, +1 per repair.")


class AttemptCode(StrEnum):
    """How one IMPLEMENT attempt ended: exactly one per attempt, judged from git and from what
    the model actually returned (never from Aider's exit code or words)."""

    CHANGED = "changed"
    NO_CHANGE = "no_change"
    EDITED_TASKS_FILE = "edited_tasks_file"
    EDITED_CONFIG = "edited_config"
    PROTECTED_PATH = "protected_path"
    MODEL_AUTH_ERROR = "model_auth_error"
    MODEL_HTTP_ERROR = "model_http_error"
    MODEL_TIMEOUT = "model_timeout"
    MALFORMED_EDIT = "malformed_edit"
    AIDER_CRASHED = "aider_crashed"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    BUDGET_EXCEEDED = "budget_exceeded"


class FailureCode(StrEnum):
    """Why a run failed, as a code: an attempt's code (other than `changed`) when IMPLEMENT
    could not produce a usable change, or what went wrong at another stage."""

    NO_CHANGE = "no_change"
    EDITED_TASKS_FILE = "edited_tasks_file"
    EDITED_CONFIG = "edited_config"
    PROTECTED_PATH = "protected_path"
    MODEL_AUTH_ERROR = "model_auth_error"
    MODEL_HTTP_ERROR = "model_http_error"
    MODEL_TIMEOUT = "model_timeout"
    MALFORMED_EDIT = "malformed_edit"
    AIDER_CRASHED = "aider_crashed"
    TIMEOUT = "timeout"
    CHECKS_FAILED = "checks_failed"
    CHECKS_TIMEOUT = "checks_timeout"
    SETUP_FAILED = "setup_failed"
    SETUP_TIMEOUT = "setup_timeout"
    INVALID_TASK_LIST = "invalid_task_list"
    INVALID_CONFIG = "invalid_config"
    GIT_ERROR = "git_error"
    CONFLICT = "conflict"
    MALFORMED_COMMAND = "malformed_command"
    GAVE_UP = "gave_up"
    LOST = "lost"
    TASK_NOT_SELECTABLE = "task_not_selectable"
    NATS_UNAVAILABLE = "nats_unavailable"
    BUDGET_EXCEEDED = "budget_exceeded"
    FORGE_ERROR = "forge_error"
    FORGE_AUTH_ERROR = "forge_auth_error"
    PULL_REQUEST_CLOSED = "pull_request_closed"
    ERROR = "error"


class ChatFile(Strict):
    """A file IMPLEMENT put in Aider's chat, and why."""

    path: str
    mode: Literal["editable", "read_only", "new"] = Field(
        description="`new`: editable, and created by Aider (it did not exist)."
    )
    chosen_by: Literal["named", "ranked", "check_output", "previous_attempt"] = Field(
        description="`named`: the task names it; `ranked`: found by ranking the repository's "
        "files against the task (`score`); `check_output`: the failing check's output names "
        "it; `previous_attempt`: a repair's, changed by the attempts before it."
    )
    score: float | None = Field(default=None, description="The ranking's score (`ranked`).")


class AttemptRecord(Strict):
    """One IMPLEMENT attempt of a task: its reason code, what it changed and what it cost."""

    task_id: TaskId
    attempt: int = Field(ge=1, description="1 for the first implementation, +1 per repair.")
    code: AttemptCode
    http_status: int | None = Field(
        default=None, description="With `model_http_error` / `model_auth_error`: the status."
    )
    detail: str = Field(default="", description="One line: what the code means here.")
    runner: str = Field(description="`host` (forked from the pre-imported host) or `cli`.")
    fallback: str | None = Field(
        default=None, description="Why the CLI ran instead of the host, when it did."
    )
    files: list[str] = Field(default_factory=list, description="Files the attempt changed.")
    chat: list[ChatFile] = Field(
        default_factory=list, description="The files put in the chat, and why each."
    )
    head_sha: str | None = None
    duration_s: float = Field(ge=0, description="Wall time of the attempt.")
    model_s: float = Field(default=0, ge=0, description="Time spent waiting on the model.")
    edit_requests: int = Field(default=0, ge=0, description="Edit requests the model answered.")
    usage: Usage = Field(default_factory=Usage)


class Failure(Strict):
    """Why a run failed (stop-on-error)."""

    stage: Stage
    task_id: TaskId | None = None
    code: FailureCode = FailureCode.ERROR
    reason: str
    output_tail: str = Field(default="", description="The last output of the failing step.")


class BlockedTask(Strict):
    """An open task that cannot be selected, and why."""

    task_id: str
    line: int | None = None
    reason: str


class ParkedImplement(Strict):
    """A paused step run's next step: IMPLEMENT (the first attempt or a repair)."""

    stage: Literal[Stage.IMPLEMENT]
    command: ImplementCommand


class ParkedVerify(Strict):
    """A paused step run's next step: VERIFY of the attempt just made."""

    stage: Literal[Stage.VERIFY]
    command: VerifyCommand


Parked = Annotated[ParkedImplement | ParkedVerify, Field(discriminator="stage")]
"""The command a paused step run holds for its next step call, by stage."""


def parked_step(stage: Stage, command: TaskCommand) -> ParkedImplement | ParkedVerify:
    """`command` parked for the step call of `stage` (`TypeError`: not a command of it)."""
    if stage is Stage.IMPLEMENT and isinstance(command, ImplementCommand):
        return ParkedImplement(stage=stage, command=command)
    if stage is Stage.VERIFY and isinstance(command, VerifyCommand):
        return ParkedVerify(stage=stage, command=command)
    raise TypeError(f"a {type(command).__name__} is not parked for {stage.value}")


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
    attempts: list[AttemptRecord] = Field(
        default_factory=list,
        description="IMPLEMENT attempts in order: the last 200 (every one is also an event).",
    )
    attempts_total: int = Field(default=0, ge=0, description="Attempts made, all told.")
    usage: Usage = Field(default_factory=Usage, description="Tokens and cost of every attempt.")
    budget: RunBudget | None = Field(
        default=None,
        description="What the run may spend on its model (registration, lowered by the "
        "repository's `.devteam.toml`), as of its last selection; null: no budget.",
    )
    resumed_from: RunId | None = Field(
        default=None, description="The failed, blocked or cancelled run this one resumes."
    )
    branch: str | None = Field(
        default=None,
        description="`pull_request` landing: the branch the run's tasks land on (its own, or "
        "that of the project's pull request it continues), set at its first selection.",
    )
    pull_request: PullRequestRef | None = Field(
        default=None, description="`pull_request` landing: the pull request, once opened."
    )
    task_id: TaskId | None = Field(
        default=None, description="Step mode: the task asked for (else the next selectable)."
    )
    next_step: Stage | None = Field(
        default=None, description="While `paused` (step mode): the call that goes on."
    )
    paused_reason: str | None = Field(
        default=None, description="While `paused`: what the last step did (a failed check)."
    )
    parked: Parked | None = Field(
        default=None, description="While `paused`: the command the next step will publish."
    )
    step_keys: dict[str, str] = Field(
        default_factory=dict, description="Idempotency keys of step calls → the step they made."
    )
    queue: QueueInfo | None = Field(
        default=None,
        description="While `queued` and not admitted yet: its position and the cap it waits "
        "on (computed when read; never stored).",
    )


class StepStart(Input):
    """`POST /v1/projects/{id}/prep` body."""

    task_id: TaskId | None = Field(
        default=None, description="The task to do (default: the next selectable one)."
    )


class StepCall(Input):
    """`POST /v1/projects/{id}/implement` and `/verify` body."""

    run_id: RunId


class RunAccepted(Strict):
    """`202` answer to starting a run."""

    run_id: RunId
    state: RunStatus


class RunPage(Strict):
    """`GET /v1/runs`, `GET /v1/projects/{id}/runs`: a page of runs, newest first."""

    items: list[RunState]
    total: int = Field(description="Runs matching the filter, on every page.")
    next_offset: int | None = Field(description="`offset` of the next page; null on the last.")
