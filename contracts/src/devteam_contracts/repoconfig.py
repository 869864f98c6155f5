"""The repository's own configuration, `.devteam.toml`, and how it combines with the project's
registration into the configuration one task runs with."""

import tomllib
from typing import Any, Literal

from pydantic import Field, ValidationError

from devteam_contracts.base import Strict
from devteam_contracts.detection import Detected
from devteam_contracts.projects import (
    BranchName,
    Commands,
    Globs,
    Limits,
    Project,
    RepoPath,
    RunBudget,
    VerifyLimits,
)

CONFIG_FILE = ".devteam.toml"
DEFAULT_BRANCH = "main"
DEFAULT_TASKS_FILE = "tasks_list.md"


class RepoConfigError(ValueError):
    """`.devteam.toml` is not valid; the message names the key."""


class RepoLimits(VerifyLimits, RunBudget):
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
    land_branch: BranchName | None = Field(
        default=None,
        description="`pull_request` landing: the run's branch, where its tasks land (the pull "
        "request goes into `target_branch`). None: tasks land on `target_branch`.",
    )
    tasks_file: RepoPath = DEFAULT_TASKS_FILE
    setup: list[str] = Field(default_factory=list)
    verify: list[str] = Field(default_factory=list)
    protected: list[str] = Field(default_factory=list)
    submodules: bool = False
    limits: Limits = Field(default_factory=Limits)
    sandbox_image: str | None = Field(
        default=None, description="`[sandbox] image`: the checks' toolchain image (Docker)."
    )
    venv: bool = Field(
        default=False,
        description="Setup and checks run with a Python virtualenv of the project's "
        "environment active (its `bin` first on PATH, `VIRTUAL_ENV` set).",
    )

    @property
    def branch(self) -> str:
        """The branch this task lands on."""
        return self.land_branch or self.target_branch


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


Source = Literal["registration", "repository", "detected", "none"]


class ProjectEnvironment(Strict):
    """How a project's environment is set up and checked, and why: what was given, what was
    detected from the repository's files (`GET /v1/projects/{id}/environment`, and with the
    project's task list)."""

    kind: Literal["python", "node", "none"] = Field(
        description="What detection recognised in the repository's files."
    )
    setup: list[str] = Field(description="The setup commands in force.")
    setup_from: Source = Field(
        description="Where they come from: registration, the repository's `.devteam.toml`, "
        "detection, or none at all."
    )
    verify: list[str] = Field(description="The project's checks in force.")
    verify_from: Source = Field(description="Where the checks come from.")
    venv: bool = Field(description="Setup and checks run with a Python virtualenv active.")
    manifests: list[str] = Field(
        description="The dependency manifests and lockfiles found: the environment is built "
        "once per state of these files (with the setup commands and the toolchain)."
    )
    reasons: list[str] = Field(description="What detection decided, and from which file.")


def resolve(
    project: Project, repo: RepoConfig | None, detected: Detected | None = None
) -> tuple[RunConfig, ProjectEnvironment]:
    """The effective configuration: values set at registration win over the repository's,
    which win over what was detected from its files (`detected`)."""
    repo = repo or RepoConfig()

    def origin(name: str) -> tuple[Any, Source]:
        if (given := getattr(project, name)) is not None:
            return given, "registration"
        if (given := getattr(repo, name)) is not None:
            return given, "repository"
        return None, "none"

    limits: dict[str, Any] = {}
    for name in Limits.model_fields:
        given, in_repo = getattr(project.limits, name), getattr(repo.limits, name)
        if name in RunBudget.model_fields:  # the repository may only lower a budget
            value = min((v for v in (given, in_repo) if v is not None), default=None)
        else:
            value = given if given is not None else in_repo
        if value is not None:
            limits[name] = value
    values = {
        name: value
        for name in ("target_branch", "tasks_file", "protected")
        if (value := origin(name)[0]) is not None
    }
    found = detected or Detected(kind="none", setup=[], verify=[], manifests=[], venv=False,
                                 reasons=[])  # fmt: skip
    commands: dict[str, tuple[list[str], Source]] = {}
    for name in ("setup", "verify"):
        given, source = origin(name)
        if given is None and getattr(found, name):
            given, source = getattr(found, name), "detected"
        commands[name] = (list(given or []), source)
    setup, setup_from = commands["setup"]
    # A venv for Python projects, and for setup commands of a project nothing was detected
    # in (they may well `pip install`); not for Node projects.
    venv = bool(setup) and found.kind != "node"
    if project.submodules is not None:  # only the project may turn submodules on
        values["submodules"] = project.submodules
    config = RunConfig(
        **values, setup=setup, verify=commands["verify"][0], venv=venv,
        limits=Limits(**limits), sandbox_image=repo.sandbox.image,
    )  # fmt: skip
    environment = ProjectEnvironment(
        kind=found.kind, setup=setup, setup_from=setup_from, verify=config.verify,
        verify_from=commands["verify"][1], venv=venv, manifests=found.manifests,
        reasons=found.reasons,
    )  # fmt: skip
    return config, environment
