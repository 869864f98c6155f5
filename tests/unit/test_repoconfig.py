"""`.devteam.toml`: strict validation and how it combines with the registration (pure)."""

from datetime import UTC, datetime

import pytest

from devteam_contracts.detection import detect
from devteam_contracts.projects import LimitsOverride, Project
from devteam_contracts.repoconfig import (
    RepoConfig,
    RepoConfigError,
    RepoLimits,
    parse_repo_config,
    resolve,
)

FULL = """
tasks_file = "docs/tasks.md"
target_branch = "develop"
setup = ["pip install -e .[test]"]
verify = ["ruff check .", "pytest -q"]
protected = ["tests/**"]
[limits]
implement_seconds = 300
verify_seconds = 120
repair_attempts = 1
"""


def project(**fields: object) -> Project:
    return Project.model_validate(
        {"id": "prj-1", "tenant": "t", "created_at": datetime.now(UTC), "name": "n",
         "repo_url": "/r", "model": {"name": "m", "api_base": "http://x/v1"}, **fields}
    )  # fmt: skip


def test_full_config_is_read() -> None:
    config = parse_repo_config(FULL)
    assert config.tasks_file == "docs/tasks.md"
    assert config.limits.repair_attempts == 1


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("verfy = ['pytest']", "verfy: unknown key"),
        ("[limits]\nrepair_attempts = 'two'", "limits.repair_attempts"),
        ("[limits]\ntimeout = 3", "limits.timeout: unknown key"),
        ("tasks_file = '../outside.md'", "tasks_file"),
        ("tasks_file = '/etc/passwd'", "tasks_file"),
        ("target_branch = 'a..b'", "target_branch"),
        ("protected = ['../x']", "protected"),
        ("verify = 'pytest'", "verify"),
        ("verify = [", "not valid TOML"),
    ],
)
def test_errors_name_the_key(text: str, named: str) -> None:
    with pytest.raises(RepoConfigError, match=named.replace(".", r"\.").replace("(", r"\(")):
        parse_repo_config(text)


def test_registration_overrides_the_repository_which_overrides_defaults() -> None:
    repo = parse_repo_config(FULL)
    mine = project(verify=["make check"], limits={"verify_seconds": 60})
    config, _ = resolve(mine, repo)
    assert config.verify == ["make check"]  # registration wins
    assert config.setup == ["pip install -e .[test]"]  # from the repository
    assert config.tasks_file == "docs/tasks.md"
    assert config.target_branch == "develop"
    assert (config.limits.verify_seconds, config.limits.implement_seconds) == (60, 300)
    defaults, _ = resolve(project(), None)
    assert (defaults.target_branch, defaults.tasks_file) == ("main", "tasks_list.md")
    assert defaults.limits.repair_attempts == 2
    assert defaults.verify == [] and defaults.protected == []


def test_given_commands_win_over_detected_ones_and_each_says_where_it_came_from() -> None:
    files = {"requirements.txt": "attrs\n", "pytest.ini": "[pytest]\n"}
    found = detect(files, files.get)
    config, env = resolve(project(verify=["make check"]), None, found)
    assert config.verify == ["make check"] and env.verify_from == "registration"
    assert config.setup == found.setup and env.setup_from == "detected"
    assert config.venv and env.venv and env.manifests == ["requirements.txt"]
    repo = parse_repo_config("setup = []\n")
    config, env = resolve(project(), repo, found)
    assert config.setup == [] and env.setup_from == "repository"  # an explicit "no setup"
    assert config.verify == ["python -m pytest"] and env.verify_from == "detected"
    assert not config.venv  # nothing to set up, no environment


def test_setup_of_a_node_project_gets_no_venv() -> None:
    files = {"package.json": '{"scripts": {"test": "mocha"}}', "package-lock.json": "{}"}
    config, env = resolve(project(), None, detect(files, files.get))
    assert config.setup == ["npm ci"] and config.verify == ["npm test"]
    assert not config.venv and env.kind == "node"


def test_a_repository_may_lower_the_budget_but_not_raise_it() -> None:
    def budget(given: int | None, in_repo: int | None) -> int | None:
        project = Project.model_validate(
            {"id": "prj-1", "tenant": "acme", "name": "p", "repo_url": "https://x/y.git",
             "model": {"name": "m", "api_base": "https://m"}, "created_at": "2026-01-01T00:00:00Z",
             "limits": LimitsOverride(run_max_tokens=given).model_dump()}
        )  # fmt: skip
        config, _ = resolve(project, RepoConfig(limits=RepoLimits(run_max_tokens=in_repo)))
        return config.limits.run_max_tokens

    assert budget(1000, 500) == 500 and budget(1000, 5000) == 1000
    assert budget(None, 500) == 500 and budget(1000, None) == 1000 and budget(None, None) is None


def test_a_budget_in_the_repository_file_is_read_and_checked() -> None:
    config = parse_repo_config("[limits]\nrun_max_tokens = 5000\nrun_max_cost_usd = 0.5\n")
    assert (config.limits.run_max_tokens, config.limits.run_max_cost_usd) == (5000, 0.5)
    with pytest.raises(RepoConfigError, match="run_max_tokens"):
        parse_repo_config("[limits]\nrun_max_tokens = 0\n")
