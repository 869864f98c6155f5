"""Pull requests on a code forge (GitHub, GitLab, Gitea/Forgejo) over its REST API."""

import httpx

from devteam_contracts.landing import LandConfig
from devteam_forge.client import ForgeClient, PullRequest
from devteam_forge.dialects import Gitea, GitHub, GitLab
from devteam_forge.errors import AlreadyExistsError, ForgeAuthError, ForgeError
from devteam_forge.settings import ForgeSettings

__all__ = [
    "AlreadyExistsError",
    "ForgeAuthError",
    "ForgeClient",
    "ForgeError",
    "ForgeSettings",
    "PullRequest",
    "forge_client",
]

_DIALECTS: dict[str, type[ForgeClient]] = {"github": GitHub, "gitlab": GitLab, "gitea": Gitea}


def forge_client(
    land: LandConfig,
    token: str,
    settings: ForgeSettings,
    schemes: frozenset[str],
    transport: httpx.AsyncBaseTransport | None = None,
) -> ForgeClient:
    """The client of `land`'s forge and repository (use it as `async with`). `ForgeError`
    when `land` is not a pull-request landing, or its API's URL scheme is not among `schemes`
    (the schemes the operator allows for repositories: https unless told otherwise)."""
    if land.mode != "pull_request" or not land.forge or not land.api_base or not land.repository:
        raise ForgeError("the project does not land as a pull request")
    scheme = land.api_base.split("://", 1)[0].lower()
    if scheme not in schemes:
        raise ForgeError(
            f"land.api_base: the scheme {scheme} is not allowed here (DEVTEAM_GIT_ALLOWED_SCHEMES)"
        )
    return _DIALECTS[land.forge](land.api_base, land.repository, token, settings, transport)
