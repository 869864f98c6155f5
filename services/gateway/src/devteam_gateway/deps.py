"""Shared request dependencies as `Annotated` aliases."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from devteam_bus.connection import Bus
from devteam_contracts.ids import is_safe_id
from devteam_contracts.projects import Project
from devteam_gateway.auth import Principal, TokenCache
from devteam_git.settings import GitSettings
from devteam_tenants.projects import ProjectStore
from devteam_tenants.settings import SecretsSettings


def get_bus(request: Request) -> Bus:
    """The gateway's NATS connection."""
    bus: Bus = request.app.state.bus
    return bus


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer …` header."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def get_principal(request: Request) -> Principal:
    """Authenticate the request; 401 without a known bearer token."""
    token = bearer_token(request.headers.get("authorization"))
    cache: TokenCache = request.app.state.tokens
    principal = await cache.principal(token) if token else None
    if principal is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid bearer token is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return principal


BusDep = Annotated[Bus, Depends(get_bus)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def find_project(bus: Bus, who: Principal, project_id: str) -> Project:
    """One of the caller's projects; 404 for anything else, other tenants' projects included."""
    found = await ProjectStore(bus).get(who.tenant, project_id) if is_safe_id(project_id) else None
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "project not found")
    return found


def env_allowlist(request: Request) -> dict[str, frozenset[str]]:
    """The worker variables tenants may name instead of secrets (`DEVTEAM_ENV_SECRETS`, read
    once when the app was made)."""
    settings: SecretsSettings = request.app.state.secrets_settings
    return settings.allowlist


AllowlistDep = Annotated[dict[str, frozenset[str]], Depends(env_allowlist)]


def git_settings(request: Request) -> GitSettings:
    """Which repository URLs projects may use (`DEVTEAM_GIT_ALLOWED_SCHEMES`, read once)."""
    settings: GitSettings = request.app.state.git_settings
    return settings


GitDep = Annotated[GitSettings, Depends(git_settings)]
