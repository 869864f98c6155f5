"""The parsed task list as served by `GET /v1/projects/{id}/tasks` (and the request/reply the
gateway uses to ask the selector for it over NATS)."""

from typing import Literal

from pydantic import Field

from devteam_contracts.base import Strict
from devteam_contracts.ids import ProjectId, TenantId
from devteam_contracts.landing import PullRequestRef
from devteam_contracts.repoconfig import ProjectEnvironment


class TaskNode(Strict):
    """One task of the list, with its sub-tasks."""

    id: str
    id_derived: bool = Field(description="True when the list gives no id and it was derived.")
    title: str
    state: Literal["open", "done", "skipped"]
    depth: int
    line: int
    depends: list[str] = Field(default_factory=list)
    selectable: bool | None = Field(
        default=None, description="For open leaves: could SELECT pick it now?"
    )
    waits: str | None = Field(default=None, description="Why an open leaf is not selectable.")
    children: list["TaskNode"] = Field(default_factory=list)


class TaskTree(Strict):
    """The task list on the target branch (a project that lands as a pull request: on the
    branch of its open pull request, while there is one), as a tree."""

    project_id: ProjectId
    branch: str = Field(description="The branch the list was read from.")
    commit: str
    tasks_file: str
    status: Literal["task", "complete", "blocked"]
    next_task: str | None = Field(description="What SELECT would pick now.")
    tasks: list[TaskNode]
    notices: list[str] = Field(default_factory=list)
    environment: ProjectEnvironment | None = Field(
        default=None, description="How the project is set up and checked, and why."
    )
    pull_request: PullRequestRef | None = Field(
        default=None, description="The open pull request whose branch the list was read from."
    )


class TaskListProblem(Strict):
    """Why the list (or the repository's config) could not be read; `lines` are 1-based."""

    message: str
    lines: list[int] = Field(default_factory=list)
    kind: Literal["tasklist", "config", "repository"]


class TasksRequest(Strict):
    """Gateway → selector: read a project's task list."""

    tenant: TenantId
    project_id: ProjectId


class TasksReply(Strict):
    """Selector → gateway: the tree, or the problem."""

    tree: TaskTree | None = None
    problem: TaskListProblem | None = None
