"""Stage commands: one input model per stage, so each can grow fields compatibly.

Every command names its run, tenant and project; the consumer re-reads run state before it acts
(the command is a request, the run state is the truth), which makes redelivery harmless.
"""

from typing import Any, Literal, TypeVar

from pydantic import Field

from devteam_contracts.base import Strict
from devteam_contracts.ids import ProjectId, RunId, TaskId, TenantId
from devteam_contracts.repoconfig import RunConfig

T = TypeVar("T", bound="TaskCommand")

SHA = Field(pattern=r"^[0-9a-f]{40}$", description="A full git commit SHA.")


class TaskRef(Strict):
    """The task being worked on, as read from the task list at selection time."""

    id: TaskId
    title: str = Field(max_length=2000)
    body: str = Field(default="", max_length=100_000, description="Indented text under the item.")
    verify: list[str] = Field(default_factory=list, description="Task-specific extra checks.")
    parents: list[str] = Field(
        default_factory=list,
        description="The titles of the tasks this one is part of, outermost first.",
    )


class CommandBase(Strict):
    """Fields every stage command carries."""

    version: Literal[1] = 1
    run_id: RunId
    tenant: TenantId
    project_id: ProjectId


class SelectCommand(CommandBase):
    """Pick the next task of the run from the target branch."""

    after_task: TaskId | None = Field(default=None, description="Task completed just before.")
    selection: int = Field(ge=1, description="1 for the run's first SELECT, +1 for each next one.")


class TaskCommand(CommandBase):
    """A command about one task of the run."""

    task: TaskRef
    config: RunConfig = Field(description="Resolved at selection; fixed for the task.")
    attempt: int = Field(default=1, ge=1)
    base_sha: str = SHA

    def next(self, model: type[T], **changes: Any) -> T:
        """The command for another stage of the same task: same run, task, configuration,
        attempt and base unless `changes` says otherwise."""
        fields: dict[str, Any] = {
            "run_id": self.run_id,
            "tenant": self.tenant,
            "project_id": self.project_id,
            "task": self.task,
            "config": self.config,
            "attempt": self.attempt,
            "base_sha": self.base_sha,
        }
        return model(**(fields | changes))


class PrepCommand(TaskCommand):
    """Make a clean worktree on the task branch at `base_sha`."""


class FailedCheck(Strict):
    """The verify command that failed an attempt, as a repair is told about it."""

    command: str = Field(max_length=2000)
    outcome: str = Field(
        max_length=200, description="`exited with 1`, `timed out after 900 s`, ..."
    )
    timed_out: bool = False
    output_tail: str = Field(default="", max_length=200_000)
    setup: list[str] = Field(
        default_factory=list,
        description="When the project's setup failed (not a check): the dependency manifests "
        "the previous change touched, which is why the failure is the change's to fix.",
    )


class ImplementCommand(TaskCommand):
    """Run Aider on the task in its worktree; `failed_check` is set for a repair."""

    failed_check: FailedCheck | None = Field(
        default=None, description="Why the previous attempt failed verify (repairs only)."
    )
    from_sha: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{40}$",
        description="Commit this attempt starts from (the failed attempt's head); base if unset.",
    )
    after_unchanged: bool = Field(
        default=False,
        description="The previous attempt's answer changed nothing (the model is told so).",
    )


class VerifyCommand(TaskCommand):
    """Run the project's checks on `head_sha`."""

    head_sha: str = SHA
    unchanged: bool = Field(
        default=False,
        description="The attempt's answer changed nothing (`head_sha` is where it started): "
        "checks that fail go back to the model as for a change, checks that pass do not "
        "complete the task (nothing shows it done).",
    )


class CompleteCommand(TaskCommand):
    """Tick the task, commit, integrate into the target branch and push."""

    head_sha: str = SHA
