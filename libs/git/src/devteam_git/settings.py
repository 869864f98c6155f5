"""Git settings of a worker, from its environment (its secret store)."""

from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from devteam_contracts.projects import Project
from devteam_git.credentials import Credentials
from devteam_git.urls import DEFAULT_SCHEMES, SUPPORTED_SCHEMES

SCHEMES_VAR = "DEVTEAM_GIT_ALLOWED_SCHEMES"


def parse_schemes(configured: str | None) -> frozenset[str]:
    """URL schemes projects may use: `configured` (comma-separated, among https, http, ssh,
    file), else https, ssh and file."""
    if not configured:
        return DEFAULT_SCHEMES
    schemes = frozenset(s.strip().lower() for s in configured.split(",") if s.strip())
    unknown = schemes - SUPPORTED_SCHEMES
    if unknown:
        raise ValueError(f"{SCHEMES_VAR}: unsupported scheme(s) {sorted(unknown)}")
    return schemes


# (secret name, worker variable name, field) → the value; see `devteam_tenants.secrets.Secrets`.
SecretLookup = Callable[[str | None, str | None, str], Awaitable[str | None]]


async def credentials_for(project: Project, lookup: SecretLookup) -> Credentials | None:
    """The project's git credentials, resolved now (from the tenant's secrets, or worker
    variables allow-listed for the tenant)."""
    spec = project.credentials
    if spec is None:
        return None
    return Credentials(
        username=spec.username,
        token=await lookup(spec.token_secret, spec.token_env, "credentials.token"),
        ssh_key=await lookup(spec.ssh_key_secret, spec.ssh_key_env, "credentials.ssh_key"),
        ssh_known_hosts=await lookup(
            None, spec.ssh_known_hosts_env, "credentials.ssh_known_hosts_env"
        ),
    )


class GitSettings(BaseSettings):
    """Which repository URLs projects may use (checked at registration and again at use)."""

    model_config = SettingsConfigDict(
        env_prefix="DEVTEAM_", extra="ignore", hide_input_in_errors=True
    )

    git_allowed_schemes: str | None = Field(
        default=None, validation_alias=AliasChoices(SCHEMES_VAR, "git_allowed_schemes")
    )

    @model_validator(mode="after")
    def _known_schemes(self) -> "GitSettings":
        self.schemes  # noqa: B018 - an unsupported scheme is refused at start
        return self

    @property
    def schemes(self) -> frozenset[str]:
        """`DEVTEAM_GIT_ALLOWED_SCHEMES`, parsed (`parse_schemes`)."""
        return parse_schemes(self.git_allowed_schemes)


class WorkspaceSettings(GitSettings):
    """Where this process keeps its mirrors and trees (its own data directory: no other process
    reads it) and how long failed tasks' branches are kept."""

    data_dir: Path = Path("data")
    failed_branch_retention_hours: float = 168.0
