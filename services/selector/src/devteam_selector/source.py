"""Reading a project's task list and configuration from its target branch (no checkout)."""

from dataclasses import dataclass

from devteam_contracts.projects import Project
from devteam_contracts.repoconfig import (
    CONFIG_FILE,
    DEFAULT_BRANCH,
    RepoConfigError,
    RunConfig,
    parse_repo_config,
    resolve,
)
from devteam_contracts.tasks import TaskListProblem
from devteam_git.workspace import Workspace
from devteam_tasklist import TaskList, TaskListError, parse


class SourceError(Exception):
    """The list or config cannot be read; `problem` says what and where."""

    def __init__(self, problem: TaskListProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True)
class ListAtTip:
    """The task list at the tip of the target branch, with the configuration in force."""

    commit: str
    config: RunConfig
    text: str
    tasks: TaskList


async def read_list(ws: Workspace, project: Project) -> ListAtTip:
    """Fetch the target branch and parse `.devteam.toml` and the task list found there.

    The config is read from the registered branch (default `main`); when it names another
    target branch (and the registration did not), the list is read from that branch.
    `GitError` (network, authentication) is left to the caller: it may be transient.
    """
    lookup = project.target_branch or DEFAULT_BRANCH
    commit = await ws.sync(lookup)
    raw_config = await ws.read_file(commit, CONFIG_FILE)
    try:
        repo = parse_repo_config(raw_config.decode()) if raw_config is not None else None
    except (RepoConfigError, UnicodeDecodeError) as exc:
        raise SourceError(TaskListProblem(message=str(exc), kind="config")) from exc
    config = resolve(project, repo)
    if config.target_branch != lookup:
        commit = await ws.sync(config.target_branch)
    raw = await ws.read_file(commit, config.tasks_file)
    if raw is None:
        message = f"{config.tasks_file} not found on branch {config.target_branch}"
        raise SourceError(TaskListProblem(message=message, kind="repository"))
    text = raw.decode("utf-8", "surrogateescape")
    try:
        tasks = parse(text)
    except TaskListError as exc:
        raise SourceError(
            TaskListProblem(
                message=f"{config.tasks_file}: {exc}", lines=list(exc.lines), kind="tasklist"
            )
        ) from exc
    return ListAtTip(commit=commit, config=config, text=text, tasks=tasks)
