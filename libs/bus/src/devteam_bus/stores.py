"""Projects and API tokens in their key-value buckets."""

import hashlib
import secrets

from nats.js.errors import KeyNotFoundError

from devteam_bus.connection import Bus
from devteam_contracts.projects import Project
from devteam_contracts.subjects import BUCKET_PROJECTS, BUCKET_TOKENS, project_key


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
        try:
            entry = await kv.get(project_key(tenant, project_id))
        except KeyNotFoundError:
            return None
        return Project.model_validate_json(entry.value) if entry.value else None


def token_digest(token: str) -> str:
    """Tokens are stored by SHA-256 digest only; the token itself is never kept."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random API token."""
    return "dtr_" + secrets.token_urlsafe(32)


class TokenStore:
    """API token → tenant."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def add(self, token: str, tenant: str) -> None:
        """Let `token` act as `tenant`."""
        kv = await self._bus.js.key_value(BUCKET_TOKENS)
        await kv.put(token_digest(token), tenant.encode())

    async def tenant_of(self, token: str) -> str | None:
        """The tenant a token belongs to, or None for an unknown token."""
        kv = await self._bus.js.key_value(BUCKET_TOKENS)
        try:
            entry = await kv.get(token_digest(token))
        except KeyNotFoundError:
            return None
        return entry.value.decode() if entry.value else None
