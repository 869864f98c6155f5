"""Reading a project's task list and configuration from its target branch (no checkout)."""

from dataclasses import dataclass

from devteam_contracts.detection import Detected, DetectionError, detect, manifest_files
from devteam_contracts.projects import Project
from devteam_contracts.repoconfig import (
    CONFIG_FILE,
    DEFAULT_BRANCH,
    ProjectEnvironment,
    RepoConfig,
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
    environment: ProjectEnvironment
    text: str
    tasks: TaskList


async def read_list(ws: Workspace, project: Project, branch: str | None = None) -> ListAtTip:
    """Fetch the target branch and parse `.devteam.toml` and the task list found there.

    The config is read from the registered branch (default `main`); when it names another
    target branch (and the registration did not), the list is read from that branch. With
    `branch` (a pull-request run's own branch), both are read from that branch once the
    repository has it: it holds the ticks the run has made.
    `GitError` (network, authentication) is left to the caller: it may be transient.
    """
    lookup = project.target_branch or DEFAULT_BRANCH
    on_branch = await ws.sync_present(branch) if branch is not None else None
    commit = on_branch or await ws.sync(lookup)
    raw_config = await ws.read_file(commit, CONFIG_FILE)
    try:
        repo = parse_repo_config(raw_config.decode()) if raw_config is not None else None
    except (RepoConfigError, UnicodeDecodeError) as exc:
        raise SourceError(TaskListProblem(message=str(exc), kind="config")) from exc
    config, _ = resolve(project, repo)
    if on_branch is None and config.target_branch != lookup:
        commit = await ws.sync(config.target_branch)
    detected = await _detect(ws, commit, project, repo)
    config, environment = resolve(project, repo, detected)
    raw = await ws.read_file(commit, config.tasks_file)
    if raw is None:
        where = branch if on_branch else config.target_branch
        message = f"{config.tasks_file} not found on branch {where}"
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
    unchecked = [t.id for t in tasks.leaves() if t.state == "open" and not t.verify]
    if not config.verify and unchecked:
        why = " ".join(environment.reasons)
        if environment.verify_from != "none":
            why = f"its {environment.verify_from} gives an empty `verify`, and task(s) "
            why += f"{', '.join(unchecked[:5])} name no `verify:` of their own."
        raise SourceError(
            TaskListProblem(
                message=f"no checks for this project: {why} Say them in {CONFIG_FILE} "
                '(`verify = ["..."]`) or at registration (`verify`).',
                kind="config",
            )
        )
    return ListAtTip(commit=commit, config=config, environment=environment, text=text, tasks=tasks)


# Files detection reads (beside the manifests): where a project says its test command.
_READ = ("pytest.ini", "tox.ini", "Makefile", "makefile", "GNUmakefile", ".yarnrc.yml")
_MAX_READ = 4 * 1024 * 1024


async def _detect(
    ws: Workspace, commit: str, project: Project, repo: RepoConfig | None
) -> Detected | None:
    """What the repository's files say about its setup and checks at `commit` (read even when
    both were given: the kind of project decides whether setup gets a venv). Files detection
    cannot parse are a config problem, unless both were given (then None)."""
    given = [
        getattr(project, name) is not None or (repo is not None and getattr(repo, name) is not None)
        for name in ("setup", "verify")
    ]
    names = await ws.top_level(commit)
    texts: dict[str, str] = {}
    for name in {*manifest_files(names), *(n for n in _READ if n in names)}:
        raw = await ws.read_file(commit, name)
        if raw is not None and len(raw) <= _MAX_READ:
            texts[name] = raw.decode("utf-8", "replace")
    try:
        detected = detect(names, texts.get)
    except DetectionError as exc:
        if all(given):  # (both given: what the files say does not matter)
            return None
        raise SourceError(TaskListProblem(message=str(exc), kind="config")) from exc
    return detected
