"""Projects: a customer repository with a task list, and how to run work on it."""

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from devteam_contracts.base import Input, Strict
from devteam_contracts.ids import ProjectId, TenantId
from devteam_contracts.landing import LandConfig
from devteam_contracts.secrets import EnvName, SecretName
from devteam_contracts.usage import Left, Usage, left_of

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


EditFormat = Literal["whole", "diff", "diff-fenced", "udiff"]
_MODEL_NAME = r"^[A-Za-z0-9._/:@-]+$"


class ModelConfig(Input):
    """Which model Aider talks to. The API key itself never travels: only the name of the
    tenant's secret (or of an allow-listed worker variable) that holds it."""

    name: str = Field(
        min_length=1,
        max_length=200,
        pattern=_MODEL_NAME,
        description="Model name as Aider takes it, e.g. `openai/gpt-4o`.",
    )
    weak_name: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        pattern=_MODEL_NAME,
        description="Model for commit messages (Aider's weak model); default: `name`.",
    )
    edit_format: EditFormat | None = Field(
        default=None,
        description="How the model writes edits; default: Aider's choice for models it knows, "
        "`whole` for any other.",
    )
    request_timeout_s: float = Field(
        default=60, ge=1, le=1800, description="Time limit of one model request."
    )
    max_output_tokens: int | None = Field(
        default=None,
        ge=16,
        le=1_000_000,
        description="Most tokens one answer may have (sent as `max_tokens`): bounds the time "
        "and cost of a model that loops. Default: the provider's limit.",
    )
    input_usd_per_mtok: float | None = Field(
        default=None, ge=0, le=10_000, description="Price of a million prompt tokens, in USD."
    )
    output_usd_per_mtok: float | None = Field(
        default=None, ge=0, le=10_000, description="Price of a million completion tokens, in USD."
    )
    api_base: str = Field(
        min_length=1,
        max_length=500,
        pattern=r"^https?://[^\s]+$",
        description="OpenAI-compatible endpoint, e.g. `https://api.openai.com/v1`.",
    )
    api_key_secret: SecretName | None = Field(
        default=None, description="Name of the tenant's secret holding the key (`/v1/secrets`)."
    )
    api_key_env: EnvName | None = Field(
        default=None,
        description="Instead of a secret: a variable of the implement workers' environment, "
        "only when the operator allow-lists it for the tenant (`DEVTEAM_ENV_SECRETS`).",
    )

    @model_validator(mode="after")
    def _one_source(self) -> "ModelConfig":
        if self.api_key_secret and self.api_key_env:
            raise ValueError("give api_key_secret or api_key_env, not both")
        return self


class VerifyLimits(Strict):
    """Resource limits of each verify check: unset means the operator's default; a project may
    only lower them (the verify worker never goes above the operator's maximum)."""

    verify_memory_mb: int | None = Field(default=None, ge=16, le=1_048_576)
    verify_cpu_seconds: int | None = Field(default=None, ge=1, le=86_400)
    verify_processes: int | None = Field(default=None, ge=4, le=65_536)
    verify_file_size_mb: int | None = Field(default=None, ge=1, le=1_048_576)
    verify_open_files: int | None = Field(default=None, ge=16, le=1_048_576)


class RunBudget(Strict):
    """What one run may spend on its model, counted over all its attempts: unset means no
    limit. The repository's `.devteam.toml` may only lower what registration set."""

    run_max_tokens: int | None = Field(
        default=None, ge=1, description="Prompt and completion tokens of the whole run."
    )
    run_max_cost_usd: float | None = Field(
        default=None,
        gt=0,
        description="The model's reported cost of the whole run, in US dollars (binds only "
        "where the model or its price list reports a cost).",
    )

    def budget(self) -> "RunBudget | None":
        """The budget alone (of limits that hold more), or None when there is none."""
        if self.run_max_tokens is None and self.run_max_cost_usd is None:
            return None
        return RunBudget(run_max_tokens=self.run_max_tokens, run_max_cost_usd=self.run_max_cost_usd)

    def left(self, used: Usage) -> Left:
        """What the run may still spend after `used`: tokens and dollars (None: no limit)."""
        return left_of(self.run_max_tokens, self.run_max_cost_usd, used)

    def spent(self, used: Usage) -> str | None:
        """Why the run may not make another model request (its budget is reached), or None."""
        tokens, cost = self.left(used)
        if tokens == 0:
            used_tokens = used.prompt_tokens + used.completion_tokens
            return f"the run used {used_tokens} tokens of its budget of {self.run_max_tokens}"
        if cost == 0:
            return f"the run spent ${used.cost_usd:.4f} of its budget of ${self.run_max_cost_usd}"
        return None


class Limits(VerifyLimits, RunBudget):
    """Limits of one task's work (resolved: every value set, the budget where one is)."""

    implement_seconds: int = Field(default=600, ge=5, le=7200, description="Aider wall clock.")
    verify_seconds: int = Field(default=900, ge=5, le=7200, description="Per check command.")
    repair_attempts: int = Field(
        default=2,
        ge=0,
        le=10,
        description="Verify failures fed back to Aider before the run fails.",
    )


class GitCredentials(Input):
    """How workers authenticate to the repository. Only *names* travel (of the tenant's
    secrets, or of allow-listed worker variables); the values never do."""

    username: str | None = Field(
        default=None, max_length=200, description="https user, e.g. `x-access-token`."
    )
    token_secret: SecretName | None = Field(
        default=None, description="The tenant's secret holding an https token."
    )
    ssh_key_secret: SecretName | None = Field(
        default=None, description="The tenant's secret holding an SSH private key."
    )
    token_env: EnvName | None = Field(
        default=None, description="Worker variable holding an https token (allow-listed only)."
    )
    ssh_key_env: EnvName | None = Field(
        default=None, description="Worker variable holding an SSH key (allow-listed only)."
    )
    ssh_known_hosts_env: EnvName | None = Field(
        default=None, description="Variable holding known_hosts lines that pin the host key."
    )

    @model_validator(mode="after")
    def _one_source(self) -> "GitCredentials":
        if self.token_secret and self.token_env:
            raise ValueError("give token_secret or token_env, not both")
        if self.ssh_key_secret and self.ssh_key_env:
            raise ValueError("give ssh_key_secret or ssh_key_env, not both")
        return self


class LimitsOverride(Input, VerifyLimits, RunBudget):
    """Limits given at registration; unset values come from `.devteam.toml`, then defaults."""

    implement_seconds: int | None = Field(default=None, ge=5, le=7200)
    verify_seconds: int | None = Field(default=None, ge=5, le=7200)
    repair_attempts: int | None = Field(default=None, ge=0, le=10)


def _check_commands(value: list[str] | None) -> list[str] | None:
    for cmd in value or []:
        if not cmd.strip() or len(cmd) > 2000 or "\x00" in cmd:
            raise ValueError("commands must be non-empty strings of at most 2000 characters")
    return value


def _check_globs(value: list[str] | None) -> list[str] | None:
    for pattern in value or []:
        if not pattern or pattern.startswith("/") or ".." in pattern.split("/"):
            raise ValueError(f"protected paths are relative globs without '..': {pattern!r}")
    return value


Commands = Annotated[list[str], AfterValidator(_check_commands), Field(max_length=20)]
Globs = Annotated[list[str], AfterValidator(_check_globs), Field(max_length=100)]


class ProjectCreate(Input):
    """`POST /v1/projects` body. Fields left out come from the repository's `.devteam.toml`
    (read from the target branch), then from the defaults."""

    name: str = Field(min_length=1, max_length=200, description="Human-readable name.")
    repo_url: str = Field(
        min_length=1,
        max_length=2000,
        description="The customer's repository: a local path or `file://` URL for now.",
    )
    target_branch: BranchName | None = Field(
        default=None, description="Branch work is integrated into (default `main`)."
    )
    tasks_file: RepoPath | None = Field(
        default=None, description="Task list path in the repo (default `tasks_list.md`)."
    )
    verify: Commands | None = Field(
        default=None, description="Commands run in the worktree to verify a task; all must pass."
    )
    setup: Commands | None = Field(
        default=None, description="Commands run in the worktree before verify (network allowed)."
    )
    protected: Globs | None = Field(
        default=None, description="Paths (globs) the implementer may not change."
    )
    credentials: GitCredentials | None = Field(
        default=None, description="Repository credentials, by secret (or variable) name."
    )
    submodules: bool | None = Field(
        default=None, description="Check out git submodules in the worktree (default: no)."
    )
    model: ModelConfig
    limits: LimitsOverride = Field(default_factory=LimitsOverride)
    land: LandConfig = Field(
        default_factory=LandConfig,
        description="How tasks land: pushed to the target branch (default), or on a branch of "
        "the run with one pull request.",
    )

    def env_references(self) -> list[tuple[tuple[str, ...], str]]:
        """Every worker environment variable the project names, with the field naming it."""
        refs: list[tuple[tuple[str, ...], str]] = []
        if self.model.api_key_env:
            refs.append((("model", "api_key_env"), self.model.api_key_env))
        creds = self.credentials
        if creds is not None:
            for field in ("token_env", "ssh_key_env", "ssh_known_hosts_env"):
                name = getattr(creds, field)
                if name:
                    refs.append((("credentials", field), name))
        if self.land.token_env:
            refs.append((("land", "token_env"), self.land.token_env))
        return refs


class Project(ProjectCreate):
    """A registered project, as stored and as returned by `GET /v1/projects/{id}`."""

    id: ProjectId
    tenant: TenantId
    created_at: datetime


class ProjectPatch(Input):
    """`PATCH /v1/projects/{id}` body: the fields to change (JSON merge: a field left out is
    kept, `null` resets an optional one to the repository's config / the default). The result
    is validated like a new registration."""

    name: str | None = None
    repo_url: str | None = None
    target_branch: BranchName | None = None
    tasks_file: RepoPath | None = None
    verify: Commands | None = None
    setup: Commands | None = None
    protected: Globs | None = None
    credentials: GitCredentials | None = None
    submodules: bool | None = None
    model: ModelConfig | None = None
    limits: LimitsOverride | None = None
    land: LandConfig | None = None

    def applied_to(self, project: "Project") -> ProjectCreate:
        """The registration `project` would have with this patch (`ValidationError` if it is
        not a valid one)."""
        current = project.model_dump(include=set(ProjectCreate.model_fields))
        return ProjectCreate.model_validate({**current, **self.model_dump(exclude_unset=True)})


class ProjectPage(Strict):
    """`GET /v1/projects`: a page of the caller's projects, oldest first."""

    items: list[Project]
    total: int = Field(description="Projects matching the filter, on every page.")
    next_offset: int | None = Field(description="`offset` of the next page; null on the last.")
