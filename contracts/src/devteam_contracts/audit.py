"""The audit stream: who did what, with what effect. One record model per action, with its
own `detail`; `AuditRecord` is their union, discriminated by `action`."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from devteam_contracts.base import Strict
from devteam_contracts.ids import ProjectId, RunId, TaskId
from devteam_contracts.runs import RunMode


class AuditBase(Strict):
    """What every audit record carries."""

    version: Literal[1] = 1
    at: datetime
    tenant: str
    actor: str = Field(description="`token:<id>` for API calls, `service:<stage>` for workers.")
    action: str
    target: str = Field(description="What was acted on: a project, run, secret, token or subject.")
    outcome: str
    request_id: str | None = Field(
        default=None, description="The API request behind it (`X-Request-Id`), if any."
    )


class NoDetail(Strict):
    """Nothing more to say than the record's own fields."""


class ProjectCreated(Strict):
    name: str


class ProjectUpdated(Strict):
    fields: list[str] = Field(description="The registration fields the update changed.")


class SecretStored(Strict):
    created_at: datetime
    updated_at: datetime


class RunQueuedDetail(Strict):
    project_id: ProjectId
    mode: RunMode
    resumed_from: RunId | None = Field(description="The failed run a resume continues.")


class StepTaken(Strict):
    attempt: int = Field(ge=1, description="The attempt the step call started.")


class TokenCreatedDetail(Strict):
    label: str


class BudgetSetDetail(Strict):
    """The tenant's monthly budget as set (null: no limit)."""

    monthly_tokens: int | None = None
    monthly_cost_usd: float | None = None


class Pushed(Strict):
    branch: str
    commit: str
    run_id: RunId
    task_id: TaskId


class CommandRejected(Strict):
    reason: str = Field(description="Why the command is malformed.")
    run_id: str | None = Field(description="Its run, when the command names a valid one.")
    bytes: int = Field(ge=0, description="The command's size.")


class CommandGaveUp(Strict):
    run_id: str | None = Field(description="Its run, when the command names one.")
    stream_seq: int = Field(ge=1, description="The command's sequence in the commands stream.")
    deliveries: int = Field(ge=1)


class ProjectCreateRecord(AuditBase):
    action: Literal["project.create"]
    detail: ProjectCreated


class ProjectUpdateRecord(AuditBase):
    action: Literal["project.update"]
    detail: ProjectUpdated


class ProjectDeleteRecord(AuditBase):
    action: Literal["project.delete"]
    detail: NoDetail = Field(default_factory=NoDetail)


class SecretPutRecord(AuditBase):
    action: Literal["secret.put"]
    detail: SecretStored


class SecretDeleteRecord(AuditBase):
    action: Literal["secret.delete"]
    detail: NoDetail = Field(default_factory=NoDetail)


class RunStartRecord(AuditBase):
    action: Literal["run.start", "run.resume"]
    detail: RunQueuedDetail


class RunCancelRecord(AuditBase):
    action: Literal["run.cancel"]
    detail: NoDetail = Field(default_factory=NoDetail)


class RunStepRecord(AuditBase):
    action: Literal["run.step.implement", "run.step.verify"]
    detail: StepTaken


class TokenCreateRecord(AuditBase):
    action: Literal["token.create"]
    detail: TokenCreatedDetail


class TokenRevokeRecord(AuditBase):
    action: Literal["token.revoke"]
    detail: NoDetail = Field(default_factory=NoDetail)


class BudgetSetRecord(AuditBase):
    action: Literal["budget.set"]
    detail: BudgetSetDetail


class RepoPushRecord(AuditBase):
    action: Literal["repo.push"]
    detail: Pushed


class CommandRejectedRecord(AuditBase):
    action: Literal["command.rejected"]
    detail: CommandRejected


class CommandGaveUpRecord(AuditBase):
    action: Literal["command.gave_up"]
    detail: CommandGaveUp


AuditRecord = Annotated[
    ProjectCreateRecord
    | ProjectUpdateRecord
    | ProjectDeleteRecord
    | SecretPutRecord
    | SecretDeleteRecord
    | RunStartRecord
    | RunCancelRecord
    | RunStepRecord
    | TokenCreateRecord
    | TokenRevokeRecord
    | BudgetSetRecord
    | RepoPushRecord
    | CommandRejectedRecord
    | CommandGaveUpRecord,
    Field(discriminator="action"),
]
"""One audit record: narrow it by `action` to its `detail`."""

AUDIT_RECORDS: TypeAdapter[AuditRecord] = TypeAdapter(AuditRecord)

AuditDetail = (
    NoDetail
    | ProjectCreated
    | ProjectUpdated
    | SecretStored
    | RunQueuedDetail
    | StepTaken
    | TokenCreatedDetail
    | BudgetSetDetail
    | Pushed
    | CommandRejected
    | CommandGaveUp
)


def parse_audit(raw: bytes | str) -> AuditRecord:
    """An audit record from its JSON (`pydantic.ValidationError` when it is not one)."""
    return AUDIT_RECORDS.validate_json(raw)


def make_audit(action: str, detail: AuditDetail | None, **fields: Any) -> AuditRecord:
    """The record of `action` (`ValidationError` when `detail` is not that action's)."""
    return AUDIT_RECORDS.validate_python(
        {**fields, "action": action, "detail": detail or NoDetail()}
    )


class AuditFrame(Strict):
    """One audit record with its stream sequence (page on with `after=`)."""

    seq: int = Field(ge=1)
    record: AuditRecord


class AuditPage(Strict):
    """`GET /v1/audit`: records in order; `next_after` continues the listing (null: no more)."""

    records: list[AuditFrame]
    next_after: int | None = None
