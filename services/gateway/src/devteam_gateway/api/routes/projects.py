"""`/v1/projects`: register and read projects."""

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from nats.errors import NoRespondersError
from pydantic import ValidationError

from devteam_bus.kv import now
from devteam_bus.publish import publish_audit
from devteam_contracts.audit import ProjectCreated, ProjectUpdated
from devteam_contracts.ids import new_project_id
from devteam_contracts.projects import Project, ProjectCreate, ProjectPage, ProjectPatch
from devteam_contracts.repoconfig import ProjectEnvironment
from devteam_contracts.secrets import env_allowed
from devteam_contracts.subjects import tasks_rpc_subject
from devteam_contracts.tasks import TasksReply, TasksRequest, TaskTree
from devteam_gateway.auth import Principal
from devteam_gateway.deps import AllowlistDep, BusDep, GitDep, PrincipalDep, find_project
from devteam_git.errors import InvalidInputError
from devteam_git.urls import normalize_repo_url
from devteam_git.workspace import check_branch_name
from devteam_runs.run_store import RunStore
from devteam_tenants.projects import ProjectStore

router = APIRouter(prefix="/v1/projects", tags=["projects"])


async def check_registration(
    body: ProjectCreate,
    who: Principal,
    allowlist: dict[str, frozenset[str]],
    schemes: frozenset[str],
) -> None:
    """What pydantic cannot check alone: the URL schemes (repository, forge API) are allowed,
    the branch name is one git accepts, and every worker variable named is allow-listed for
    the tenant (422 otherwise)."""
    try:
        normalize_repo_url(body.repo_url, schemes)
        if body.target_branch is not None:
            await check_branch_name(body.target_branch)
    except InvalidInputError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from exc
    api_base = body.land.api_base
    if api_base is not None and api_base.split("://", 1)[0].lower() not in schemes:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            f"land.api_base: the scheme of {api_base!r} is not allowed here (allowed: "
            f"{', '.join(sorted(schemes))})",
        )
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


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_project(
    body: ProjectCreate, bus: BusDep, who: PrincipalDep, allowlist: AllowlistDep, git: GitDep
) -> Project:
    """Register a project for the caller's tenant."""
    await check_registration(body, who, allowlist, git.schemes)
    project = Project(**body.model_dump(), id=new_project_id(), tenant=who.tenant, created_at=now())
    await ProjectStore(bus).put(project)
    await publish_audit(
        bus,
        who.tenant,
        f"token:{who.token_id}",
        "project.create",
        project.id,
        "created",
        ProjectCreated(name=project.name),
    )
    return project


@router.get("")
async def list_projects(
    bus: BusDep,
    who: PrincipalDep,
    name: Annotated[
        str | None, Query(max_length=200, description="Names containing this (any case).")
    ] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ProjectPage:
    """The caller's projects, oldest first, a page at a time."""
    found = await ProjectStore(bus).list(who.tenant)
    if name:
        found = [p for p in found if name.casefold() in p.name.casefold()]
    page = found[offset : offset + limit]
    more = offset + limit < len(found)
    return ProjectPage(items=page, total=len(found), next_offset=offset + limit if more else None)


@router.patch("/{project_id}")
async def update_project(
    project_id: str,
    body: ProjectPatch,
    bus: BusDep,
    who: PrincipalDep,
    allowlist: AllowlistDep,
    git: GitDep,
) -> Project:
    """Change some of a project's fields; the result is validated like a registration (422).
    A run already going keeps the settings it started with."""
    project = await find_project(bus, who, project_id)
    try:
        changed = body.applied_to(project)
    except ValidationError as exc:
        errors = [{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]}
                  for e in exc.errors()]  # fmt: skip
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, errors) from exc
    await check_registration(changed, who, allowlist, git.schemes)
    updated = Project(**changed.model_dump(), id=project.id, tenant=project.tenant,
                      created_at=project.created_at)  # fmt: skip
    await ProjectStore(bus).put(updated)
    fields = sorted(body.model_dump(exclude_unset=True))
    await publish_audit(bus, who.tenant, f"token:{who.token_id}", "project.update", project.id,
                        "updated", ProjectUpdated(fields=fields))  # fmt: skip
    return updated


@router.delete("/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_project(project_id: str, bus: BusDep, who: PrincipalDep) -> Response:
    """Forget a project; 409 while one of its runs is active. Its runs, events and audit trail
    stay (until their retention ends)."""
    await find_project(bus, who, project_id)
    runs = RunStore(bus)
    # Hold the project's run lock while deleting, so no run can start meanwhile.
    marker = f"deleting-{uuid.uuid4().hex[:12]}"
    holder = await runs.acquire_project(who.tenant, project_id, marker)
    if holder is not None:
        active = await runs.get(holder)
        if active is not None and not active.state.terminal:
            raise HTTPException(status.HTTP_409_CONFLICT, f"run {holder} of this project is active")
        await runs.release_project(who.tenant, project_id, holder)
        holder = await runs.acquire_project(who.tenant, project_id, marker)
        if holder is not None:
            raise HTTPException(status.HTTP_409_CONFLICT, f"run {holder} of this project is active")
    try:
        await ProjectStore(bus).delete(who.tenant, project_id)
    finally:
        await runs.release_project(who.tenant, project_id, marker)
    await publish_audit(bus, who.tenant, f"token:{who.token_id}", "project.delete", project_id,
                        "deleted")  # fmt: skip
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{project_id}")
async def get_project(project_id: str, bus: BusDep, who: PrincipalDep) -> Project:
    """One of the caller's projects; 404 for anything else (including other tenants')."""
    return await find_project(bus, who, project_id)


@router.get("/{project_id}/tasks")
async def get_tasks(project_id: str, bus: BusDep, who: PrincipalDep) -> TaskTree:
    """The task list on the target branch as a tree, with how the project is set up and
    checked (`environment`); 422 with line numbers when it is invalid, or naming what is
    missing when the project's checks are neither given nor detectable."""
    return await _read_tasks(project_id, bus, who)


@router.get("/{project_id}/environment")
async def get_environment(project_id: str, bus: BusDep, who: PrincipalDep) -> ProjectEnvironment:
    """How the project's environment is set up and checked on its target branch: the setup
    commands and checks in force, where each comes from (registration, `.devteam.toml`,
    detection), the manifests its environment is keyed on, and why detection decided what it
    did; 422 like the task list."""
    tree = await _read_tasks(project_id, bus, who)
    assert tree.environment is not None  # (the selector always says)
    return tree.environment


async def _read_tasks(project_id: str, bus: BusDep, who: PrincipalDep) -> TaskTree:
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
