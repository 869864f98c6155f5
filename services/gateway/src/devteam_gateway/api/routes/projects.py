"""`/v1/projects`: register and read projects."""

import os

from fastapi import APIRouter, HTTPException, status
from nats.errors import NoRespondersError

from devteam_bus.publish import publish_audit
from devteam_bus.runstore import now
from devteam_bus.stores import ProjectStore
from devteam_contracts.ids import new_project_id
from devteam_contracts.projects import Project, ProjectCreate
from devteam_contracts.secrets import ENV_SECRETS_VAR, env_allowed, parse_env_allowlist
from devteam_contracts.subjects import tasks_rpc_subject
from devteam_contracts.tasks import TasksReply, TasksRequest, TaskTree
from devteam_gateway.deps import BusDep, PrincipalDep, find_project
from devteam_git.errors import InvalidInputError
from devteam_git.settings import allowed_schemes
from devteam_git.urls import normalize_repo_url
from devteam_git.workspace import check_branch_name

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_project(body: ProjectCreate, bus: BusDep, who: PrincipalDep) -> Project:
    """Register a project for the caller's tenant."""
    try:
        normalize_repo_url(body.repo_url, allowed_schemes())
        if body.target_branch is not None:
            await check_branch_name(body.target_branch)
    except InvalidInputError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from exc
    allowlist = parse_env_allowlist(os.environ.get(ENV_SECRETS_VAR))
    refused = [
        {
            "loc": ["body", *field],
            "msg": f"the worker variable {name} is not allowed for tenant {who.tenant}: "
            "store the value with PUT /v1/secrets/{name} and refer to it by name",
            "type": "value_error.env_not_allowed",
        }
        for field, name in body.env_references()
        if not env_allowed(allowlist, who.tenant, name)
    ]
    if refused:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, refused)
    project = Project(**body.model_dump(), id=new_project_id(), tenant=who.tenant, created_at=now())
    await ProjectStore(bus).put(project)
    await publish_audit(
        bus,
        who.tenant,
        f"token:{who.token_id}",
        "project.create",
        project.id,
        "created",
        {"name": project.name},
    )
    return project


@router.get("/{project_id}")
async def get_project(project_id: str, bus: BusDep, who: PrincipalDep) -> Project:
    """One of the caller's projects; 404 for anything else (including other tenants')."""
    return await find_project(bus, who, project_id)


@router.get("/{project_id}/tasks")
async def get_tasks(project_id: str, bus: BusDep, who: PrincipalDep) -> TaskTree:
    """The task list on the target branch as a tree; 422 with line numbers when it is invalid."""
    await find_project(bus, who, project_id)
    request = TasksRequest(tenant=who.tenant, project_id=project_id)
    try:
        msg = await bus.nc.request(
            tasks_rpc_subject(who.tenant, project_id),
            request.model_dump_json().encode(),
            timeout=30,
        )
    except (TimeoutError, NoRespondersError) as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the selector did not answer"
        ) from exc
    reply = TasksReply.model_validate_json(msg.data)
    if reply.tree is not None:
        return reply.tree
    assert reply.problem is not None
    code = (
        status.HTTP_422_UNPROCESSABLE_ENTITY
        if reply.problem.kind in ("tasklist", "config")
        else status.HTTP_409_CONFLICT
    )
    raise HTTPException(code, reply.problem.model_dump(mode="json"))
