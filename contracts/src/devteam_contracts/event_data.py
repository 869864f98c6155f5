"""The payloads of run events (`data`), one model per event type, documented field by field;
`devteam_contracts.events` wraps each in its event."""

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import Field

from devteam_contracts.base import Strict
from devteam_contracts.ids import RunId, TaskId
from devteam_contracts.landing import PullRequestRef
from devteam_contracts.runs import AttemptRecord, BlockedTask, ChatFile, FailureCode, RunMode
from devteam_contracts.subjects import Stage
from devteam_contracts.usage import Usage


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


class EventData(Strict):
    """Base of the payloads: each names the one event type it is the `data` of."""

    TYPE: ClassVar[EventType]


# --- payloads, in pipeline order ---------------------------------------------------------


class RunQueuedData(EventData):
    """`run.queued`: the run is stored and waits for admission."""

    TYPE = EventType.RUN_QUEUED
    mode: RunMode
    resumed_from: RunId | None = Field(
        default=None, description="The failed run this one resumes, if any."
    )


class RunAdmittedData(EventData):
    """`run.admitted`: the run may start (its first SELECT follows)."""

    TYPE = EventType.RUN_ADMITTED
    queued_s: float = Field(ge=0, description="Seconds the run waited for admission.")


class TaskSelectedData(EventData):
    """`task.selected`: SELECT picked the next task on the target branch."""

    TYPE = EventType.TASK_SELECTED
    title: str
    base_sha: str = Field(description="The target branch's commit the task starts from.")
    selection: int = Field(ge=1, description="The run's SELECT counter (1 for its first).")


class TaskPreparedData(EventData):
    """`task.prepared`: PREP made the task's clean worktree."""

    TYPE = EventType.TASK_PREPARED
    branch: str = Field(description="The task's branch in the worker's workspace.")
    base_sha: str
    duration_ms: float = Field(ge=0, description="Time PREP took.")
    disk_bytes: int = Field(ge=0, description="The project's workspace on the worker's disk.")
    worktree: str = Field(description="The worktree's path on the worker (for operators).")


class TaskImplementingData(EventData):
    """`task.implementing`: Aider starts an attempt, with these files in its chat."""

    TYPE = EventType.TASK_IMPLEMENTING
    model: str = Field(description="The model's name as the project registered it.")
    files: list[str] = Field(description="Files in the chat, editable.")
    read_only: list[str] = Field(description="Files in the chat, read-only (protected).")
    chat: list[ChatFile] = Field(
        default_factory=list, description="Every file in the chat and why it was chosen."
    )


class TaskImplementedData(EventData):
    """`task.implemented`: the attempt changed files and committed them."""

    TYPE = EventType.TASK_IMPLEMENTED
    head_sha: str = Field(description="The attempt's commit, which VERIFY checks.")
    files: list[str] = Field(description="Files the attempt changed.")
    duration_s: float = Field(ge=0)
    attempt: AttemptRecord
    run_usage: Usage = Field(description="The run's usage so far, this attempt included.")


class TaskAttemptFailedData(EventData):
    """`task.attempt_failed`: the attempt made no usable change (its record says why)."""

    TYPE = EventType.TASK_ATTEMPT_FAILED
    attempt: AttemptRecord
    run_usage: Usage = Field(description="The run's usage so far, this attempt included.")


class SandboxUser(Strict):
    """Whom the checks run as."""

    switched: bool = Field(description="True when they run as a user of the tenant's own.")
    runs_as: str


class SandboxLimits(Strict):
    """The resource limits every check runs under."""

    memory_mb: int
    cpu_seconds: int
    processes: int
    file_size_mb: int
    open_files: int
    output_bytes: int


class SandboxReport(Strict):
    """How the checks are isolated on the worker that runs them: never more than holds."""

    backend: Literal["bwrap", "docker", "none"]
    image: str | None = Field(default=None, description="The image (docker only).")
    user: SandboxUser
    network: str = Field(description="The checks' network: `none` when boxed.")
    setup_network: str = Field(description="What setup commands reach.")
    filesystem: str
    limits: SandboxLimits
    processes_limited: bool


class EnvironmentReport(Strict):
    """The project's environment (what its setup commands built) that the checks run in."""

    key: str = Field(description="Hash of the setup commands, manifests and toolchain.")
    status: Literal["built", "reused"]
    seconds: float = Field(ge=0, description="Time to build or reuse it.")
    setup: list[str]
    manifests: list[str] = Field(description="The dependency files the key covers.")
    venv: bool
    files: int = Field(ge=0, description="Files put back into the worktree.")
    size_bytes: int = Field(ge=0)


class TaskVerifyingData(EventData):
    """`task.verifying`: VERIFY runs the checks on the attempt's commit."""

    TYPE = EventType.TASK_VERIFYING
    commands: list[str] = Field(description="The checks, in order.")
    head_sha: str
    sandbox: SandboxReport
    environment: EnvironmentReport | None = Field(
        default=None, description="None: the project has no setup."
    )


class TaskVerifiedData(EventData):
    """`task.verified`: every check passed."""

    TYPE = EventType.TASK_VERIFIED
    duration_s: float = Field(ge=0)
    head_sha: str


class TaskRepairData(EventData):
    """`task.repair`: a check failed and goes back to the model as the next attempt."""

    TYPE = EventType.TASK_REPAIR
    command: str = Field(description="The check that failed.")
    exit_code: int | None = Field(description="None when it was killed (time or a limit).")
    limit: str | None = Field(default=None, description="The resource limit it ran into, if any.")
    output_tail: str = Field(description="The end of its output (secrets redacted).")
    setup: list[str] = Field(
        default_factory=list,
        description="Dependency files the change touched, when a setup it broke failed.",
    )


_PR = "`pull_request` landing: the run's pull request (null before it is opened)."


class TaskCompletedData(EventData):
    """`task.completed`: the task's commit (with its tick) is on the branch it lands on: the
    target branch, or the run's branch of its pull request."""

    TYPE = EventType.TASK_COMPLETED
    commit: str
    branch: str
    pull_request: PullRequestRef | None = Field(default=None, description=_PR)


class LogData(EventData):
    """`log`: output lines of Aider or of a check, in order (secrets redacted)."""

    TYPE = EventType.LOG
    lines: list[str]


class RunCompletedData(EventData):
    """`run.completed`: every task the run was to do is done."""

    TYPE = EventType.RUN_COMPLETED
    usage: Usage = Field(description="The run's model usage, all told.")
    pull_request: PullRequestRef | None = Field(default=None, description=_PR)


class RunFailedData(EventData):
    """`run.failed`: the run stopped at an error (the run's `failure`, and its usage)."""

    TYPE = EventType.RUN_FAILED
    stage: Stage
    task_id: TaskId | None = None
    code: FailureCode = FailureCode.ERROR
    reason: str
    output_tail: str = ""
    usage: Usage
    pull_request: PullRequestRef | None = Field(default=None, description=_PR)


class RunCancelledData(EventData):
    """`run.cancelled`: someone cancelled the run."""

    TYPE = EventType.RUN_CANCELLED
    usage: Usage
    pull_request: PullRequestRef | None = Field(default=None, description=_PR)


class RunBlockedData(EventData):
    """`run.blocked`: open tasks remain, none is selectable; what each waits for."""

    TYPE = EventType.RUN_BLOCKED
    blocked: list[BlockedTask]
    usage: Usage
    pull_request: PullRequestRef | None = Field(default=None, description=_PR)


class RunPausedData(EventData):
    """`run.paused`: a step run waits for its next step call."""

    TYPE = EventType.RUN_PAUSED
    next_step: Stage
    reason: str | None = Field(description="Why it paused there (a failed check), if any.")
