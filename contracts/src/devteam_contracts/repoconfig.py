"""The repository's own configuration, `.devteam.toml`, and how it combines with the project's
registration into the configuration one task runs with."""

import tomllib
from typing import Any

from pydantic import Field, ValidationError

from devteam_contracts.base import Strict
from devteam_contracts.projects import (
    BranchName,
    Commands,
    Globs,
    Limits,
    Project,
    RepoPath,
    VerifyLimits,
)

CONFIG_FILE = ".devteam.toml"
DEFAULT_BRANCH = "main"
DEFAULT_TASKS_FILE = "tasks_list.md"


class RepoConfigError(ValueError):
    """`.devteam.toml` is not valid; the message names the key."""


class RepoLimits(VerifyLimits):
    """`[limits]` of `.devteam.toml`."""

    implement_seconds: int | None = Field(default=None, ge=5, le=7200)
    verify_seconds: int | None = Field(default=None, ge=5, le=7200)
    repair_attempts: int | None = Field(default=None, ge=0, le=10)


class RepoSandbox(Strict):
    """`[sandbox]` of `.devteam.toml`: the toolchain image checks run in (Docker backend; the
    operator allow-lists images)."""

    image: str | None = Field(
        default=None, min_length=1, max_length=300, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:@-]*$"
    )


class RepoConfig(Strict):
    """`.devteam.toml`: every key optional; unknown keys are errors."""

    tasks_file: RepoPath | None = None
    target_branch: BranchName | None = None
    setup: Commands | None = None
    verify: Commands | None = None
    protected: Globs | None = None
    limits: RepoLimits = Field(default_factory=RepoLimits)
    sandbox: RepoSandbox = Field(default_factory=RepoSandbox)


class RunConfig(Strict):
    """What one task runs with: registration over `.devteam.toml` over defaults."""

    target_branch: BranchName = DEFAULT_BRANCH
    tasks_file: RepoPath = DEFAULT_TASKS_FILE
    setup: list[str] = Field(default_factory=list)
    verify: list[str] = Field(default_factory=list)
    protected: list[str] = Field(default_factory=list)
    submodules: bool = False
    limits: Limits = Field(default_factory=Limits)
    sandbox_image: str | None = Field(
        default=None, description="`[sandbox] image`: the checks' toolchain image (Docker)."
    )


def parse_repo_config(text: str) -> RepoConfig:
    """Parse and strictly validate `.devteam.toml`; errors name the offending key."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RepoConfigError(f"{CONFIG_FILE} is not valid TOML: {exc}") from exc
    try:
        return RepoConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"])
            what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(f"{key}: {what}")
        raise RepoConfigError(f"{CONFIG_FILE}: " + "; ".join(problems)) from exc


def resolve(project: Project, repo: RepoConfig | None) -> RunConfig:
    """The effective configuration: values set at registration win over the repository's."""
    repo = repo or RepoConfig()

    def pick(name: str) -> Any:
        given = getattr(project, name)
        return given if given is not None else getattr(repo, name)

    limits: dict[str, int] = {}
    for name in Limits.model_fields:
        value = getattr(project.limits, name)
        value = value if value is not None else getattr(repo.limits, name)
        if value is not None:
            limits[name] = value
    values = {
        name: value
        for name in ("target_branch", "tasks_file", "setup", "verify", "protected")
        if (value := pick(name)) is not None
    }
    if project.submodules is not None:  # only the project may turn submodules on
        values["submodules"] = project.submodules
    return RunConfig(**values, limits=Limits(**limits), sandbox_image=repo.sandbox.image)
