"""Projects: a customer repository with a task list, and how to run work on it."""

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from devteam_contracts.base import Strict
from devteam_contracts.ids import ProjectId, TenantId

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_BRANCH_CHARS = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")


def _check_branch(name: str) -> str:
    # A cheap edge check with git's main rules; the git lib re-checks with `git check-ref-format`.
    if (
        not _BRANCH_CHARS.match(name)
        or name.startswith(("-", "/", "."))
        or name.endswith(("/", ".", ".lock"))
        or ".." in name
        or "//" in name
        or "/." in name
        or name == "@"
    ):
        raise ValueError(f"not a valid branch name: {name!r}")
    return name


def _check_relpath(path: str) -> str:
    parts = path.replace("\\", "/").split("/")
    if (
        not path
        or path.startswith(("/", "-"))
        or any(p in ("", ".", "..") for p in parts)
        or "\x00" in path
        or len(path) > 300
    ):
        raise ValueError(f"must be a relative path inside the repository without '..': {path!r}")
    return path


BranchName = Annotated[str, AfterValidator(_check_branch)]
RepoPath = Annotated[str, AfterValidator(_check_relpath)]


class ModelConfig(Strict):
    """Which model Aider talks to. The API key itself never travels: only the variable's name."""

    name: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9._/:@-]+$",
        description="Model name as Aider takes it, e.g. `openai/gpt-4o`.",
    )
    api_base: str = Field(
        min_length=1,
        max_length=500,
        pattern=r"^https?://[^\s]+$",
        description="OpenAI-compatible endpoint, e.g. `https://api.openai.com/v1`.",
    )
    api_key_env: str = Field(
        default="OPENAI_API_KEY",
        description="Name of the environment variable (on the implement workers) holding the key.",
    )

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.match(value):
            raise ValueError("must be an environment variable name")
        return value


class Limits(Strict):
    """Per-project limits; values left out use the service defaults."""

    implement_seconds: int = Field(default=600, ge=5, le=7200, description="Aider wall clock.")
    verify_seconds: int = Field(default=900, ge=5, le=7200, description="Per verify command.")
    repair_attempts: int = Field(
        default=2,
        ge=0,
        le=10,
        description="Verify failures fed back to Aider before the run fails.",
    )


class ProjectCreate(Strict):
    """`POST /v1/projects` body."""

    name: str = Field(min_length=1, max_length=200, description="Human-readable name.")
    repo_url: str = Field(
        min_length=1,
        max_length=2000,
        description="The customer's repository: a local path or `file://` URL for now.",
    )
    target_branch: BranchName = Field(default="main", description="Branch work is integrated into.")
    tasks_file: RepoPath = Field(default="tasks_list.md", description="Task list path in the repo.")
    verify: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Commands run in the worktree to verify a task; all must exit 0.",
    )
    model: ModelConfig
    limits: Limits = Field(default_factory=Limits)

    @field_validator("verify")
    @classmethod
    def _commands(cls, value: list[str]) -> list[str]:
        for cmd in value:
            if not cmd.strip() or len(cmd) > 2000 or "\x00" in cmd:
                raise ValueError("verify commands must be non-empty strings of at most 2000 chars")
        return value


class Project(ProjectCreate):
    """A registered project, as stored and as returned by `GET /v1/projects/{id}`."""

    id: ProjectId
    tenant: TenantId
    created_at: datetime
