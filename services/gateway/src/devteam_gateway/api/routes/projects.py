"""`/v1/projects`: register and read projects."""

from fastapi import APIRouter, HTTPException, status

from devteam_bus.publish import publish_audit
from devteam_bus.runstore import now
from devteam_bus.stores import ProjectStore
from devteam_contracts.ids import new_project_id
from devteam_contracts.projects import Project, ProjectCreate
from devteam_gateway.deps import BusDep, PrincipalDep, find_project
from devteam_git.errors import InvalidInputError
from devteam_git.urls import normalize_repo_url
from devteam_git.workspace import check_branch_name

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_project(body: ProjectCreate, bus: BusDep, who: PrincipalDep) -> Project:
    """Register a project for the caller's tenant."""
    try:
        normalize_repo_url(body.repo_url)
        await check_branch_name(body.target_branch)
    except InvalidInputError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from exc
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
