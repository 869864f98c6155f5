"""The tenants' projects in their key-value bucket."""

from devteam_bus.connection import Bus
from devteam_bus.kv import keys_of, value_of
from devteam_contracts.projects import Project
from devteam_contracts.subjects import BUCKET_PROJECTS, project_key


class ProjectStore:
    """Projects, keyed by tenant and id so one tenant can never address another's."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def put(self, project: Project) -> None:
        """Store (create or replace) a project."""
        kv = await self._bus.js.key_value(BUCKET_PROJECTS)
        await kv.put(project_key(project.tenant, project.id), project.model_dump_json().encode())

    async def get(self, tenant: str, project_id: str) -> Project | None:
        """The tenant's project, or None."""
        kv = await self._bus.js.key_value(BUCKET_PROJECTS)
        value = await value_of(kv, project_key(tenant, project_id))
        return Project.model_validate_json(value) if value else None

    async def list(self, tenant: str | None) -> list[Project]:
        """Every project of the tenant (of every tenant: None), oldest first."""
        kv = await self._bus.js.key_value(BUCKET_PROJECTS)
        found = []
        for key in await keys_of(kv):
            if tenant is None or key.startswith(f"{tenant}."):
                value = await value_of(kv, key)
                if value:
                    found.append(Project.model_validate_json(value))
        return sorted(found, key=lambda p: (p.tenant, p.created_at, p.id))

    async def delete(self, tenant: str, project_id: str) -> None:
        """Forget the project (its runs' states and events stay until they age out)."""
        kv = await self._bus.js.key_value(BUCKET_PROJECTS)
        await kv.purge(project_key(tenant, project_id))
