"""Serves `GET /v1/projects/{id}/tasks` for the gateway: request/reply over NATS (a NATS micro
service), so the gateway never touches git itself. Replicas share the work through a queue
group."""

import asyncio
import logging

from nats import micro
from nats.micro.request import Request
from pydantic import ValidationError

from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError
from devteam_bus.status import package_version
from devteam_contracts.projects import Project
from devteam_contracts.subjects import TASKS_RPC_FILTER, TASKS_RPC_QUEUE, TASKS_SERVICE
from devteam_contracts.tasks import (
    TaskListProblem,
    TaskNode,
    TasksReply,
    TasksRequest,
    TaskTree,
)
from devteam_forge import ForgeError, PullRequest
from devteam_git.errors import GitError
from devteam_git.settings import WorkspaceSettings
from devteam_git.workspace import Workspace
from devteam_selector.pull_request import PullRequests
from devteam_selector.source import ListAtTip, SourceError, read_list
from devteam_tasklist import select
from devteam_tenants import ProjectStore, Secrets, SecretsSettings

log = logging.getLogger(__name__)


def tree_of(
    project_id: str,
    source: ListAtTip,
    pull: PullRequest | None = None,
    notices: tuple[str, ...] = (),
) -> TaskTree:
    """The parsed list as nested nodes, with selectability of every open leaf (read from the
    branch of `pull`, when given)."""
    selection = select(source.tasks)
    waiting = {b.task_id: b.reason for b in selection.blocked}
    children: dict[str | None, list[str]] = {}
    for task in source.tasks.tasks:
        children.setdefault(task.parent, []).append(task.id)

    def build(task_id: str) -> TaskNode:
        task = source.tasks[task_id]
        open_leaf = task.is_leaf and task.state == "open"
        return TaskNode(
            id=task.id,
            id_derived=task.id_derived,
            title=task.title,
            state=task.state,
            depth=task.depth,
            line=task.line,
            depends=list(task.depends),
            selectable=(task.id not in waiting) if open_leaf else None,
            waits=waiting.get(task.id) if open_leaf else None,
            children=[build(child) for child in children.get(task.id, [])],
        )

    return TaskTree(
        project_id=project_id,
        branch=pull.head if pull else source.config.target_branch,
        commit=source.commit,
        tasks_file=source.config.tasks_file,
        status=selection.status,
        next_task=selection.task.id if selection.task else None,
        tasks=[build(root) for root in children.get(None, [])],
        notices=[*notices, *(f"line {n.line}: {n.message}" for n in source.tasks.notices)],
        environment=source.environment,
        pull_request=pull.ref() if pull else None,
    )


class TasksResponder:
    """Answers `TasksRequest`s on `devteam.rpc.tasks.<tenant>.<project>`."""

    def __init__(
        self,
        bus: Bus,
        settings: WorkspaceSettings,
        secrets: SecretsSettings,
        pulls: PullRequests,
    ) -> None:
        self.bus = bus
        self.settings = settings
        self.secrets = secrets
        self.pulls = pulls

    async def answer(self, request: TasksRequest) -> TasksReply:
        """Read the project's list from its target branch (or its open pull request's)."""
        project = await ProjectStore(self.bus).get(request.tenant, request.project_id)
        if project is None:
            problem = TaskListProblem(message="project not found", kind="repository")
            return TasksReply(problem=problem)
        try:
            secrets = Secrets(self.bus, request.tenant, self.secrets)
            ws = await Workspace.open(self.settings, project, secrets.lookup)
            source = await read_list(ws, project)
            pull: PullRequest | None = None
            notices: tuple[str, ...] = ()
            if project.land.mode == "pull_request":
                pull, notices = await self._open_pull(project, secrets, source)
                if pull is not None:
                    source = await read_list(ws, project, pull.head)
        except PermanentError as exc:  # credentials the tenant may not use, or has not set
            return TasksReply(problem=TaskListProblem(message=exc.reason, kind="repository"))
        except SourceError as exc:
            return TasksReply(problem=exc.problem)
        except GitError as exc:
            return TasksReply(problem=TaskListProblem(message=str(exc), kind="repository"))
        return TasksReply(tree=tree_of(project.id, source, pull, notices))

    async def _open_pull(
        self, project: Project, secrets: Secrets, source: ListAtTip
    ) -> tuple[PullRequest | None, tuple[str, ...]]:
        """The project's open pull request, whose branch holds the ticks made so far; when the
        forge does not answer at once, none, with a notice saying so."""
        try:
            target = source.config.target_branch
            return await self.pulls.open_one(project, secrets, target, quick=True), ()
        except (ForgeError, PermanentError) as exc:
            why = f"the forge did not say which pull request is open ({exc.reason})"
            return None, (f"read from {target}: {why}",)

    async def _on_request(self, request: Request) -> None:
        try:
            asked = TasksRequest.model_validate_json(request.data)
            reply = await self.answer(asked)
        except ValidationError as exc:
            problem = TaskListProblem(message=f"malformed request: {exc}", kind="repository")
            reply = TasksReply(problem=problem)
        except Exception as exc:
            log.exception("tasks request failed")
            problem = TaskListProblem(message=f"internal error: {type(exc).__name__}",
                                      kind="repository")  # fmt: skip
            reply = TasksReply(problem=problem)
        await request.respond(reply.model_dump_json().encode())

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set: a NATS micro service (`TASKS_SERVICE`) with one endpoint,
        its replicas sharing the requests through a queue group."""
        service = await micro.add_service(
            self.bus.nc,
            name=TASKS_SERVICE,
            version=package_version(),
            description="A project's parsed task list, read from its target branch",
            queue_group=TASKS_RPC_QUEUE,
        )
        try:
            await service.add_endpoint(
                name="tasks", subject=TASKS_RPC_FILTER, handler=self._on_request
            )
            await stop.wait()
        finally:
            await service.stop()
