"""Contracts: strict models, id rules, the JSON Schema copies kept in sync."""

import pytest
from pydantic import ValidationError

from devteam_contracts import schema
from devteam_contracts.commands import ImplementCommand, SelectCommand, TaskRef
from devteam_contracts.ids import is_safe_id, new_project_id, new_run_id
from devteam_contracts.projects import ProjectCreate
from devteam_contracts.repoconfig import RunConfig
from devteam_contracts.subjects import Stage, command_subject, event_subject, msg_id

MODEL = {"name": "openai/gpt-4o", "api_base": "https://api.example.com/v1"}


def test_checked_in_json_schema_matches_the_models() -> None:
    rendered = schema.render()
    on_disk = {p.name: p.read_text() for p in schema.SCHEMA_DIR.glob("*.json")}
    assert on_disk == rendered, "run `python -m devteam_contracts.schema` and commit the result"


def test_generated_ids_are_subject_and_path_safe() -> None:
    for value in (new_project_id(), new_run_id()):
        assert is_safe_id(value)
    for bad in ("a.b", "a*b", "a>b", "A", "-x", "a/b", "", "x" * 64, "a b"):
        assert not is_safe_id(bad)


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra"):
        SelectCommand.model_validate(
            {"run_id": "run-1", "tenant": "t", "project_id": "p", "selection": 1, "x": 1}
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("target_branch", "-delete"),
        ("target_branch", "a..b"),
        ("target_branch", "a b"),
        ("target_branch", "x.lock"),
        ("tasks_file", "/etc/passwd"),
        ("tasks_file", "docs/../../x"),
        ("tasks_file", "-rf"),
        ("verify", [""]),
    ],
)
def test_project_fields_are_validated(field: str, value: object) -> None:
    body = {"name": "n", "repo_url": "/r", "model": MODEL, field: value}
    with pytest.raises(ValidationError, match=field):
        ProjectCreate.model_validate(body)


def test_project_defaults() -> None:
    project = ProjectCreate.model_validate({"name": "n", "repo_url": "/r", "model": MODEL})
    assert project.target_branch is None and project.tasks_file is None  # from the repo
    # no key unless the project names a secret (or an allow-listed worker variable)
    assert project.model.api_key_secret is None and project.model.api_key_env is None


def test_a_key_comes_from_one_place() -> None:
    both = {**MODEL, "api_key_secret": "k", "api_key_env": "K"}
    with pytest.raises(ValidationError, match="not both"):
        ProjectCreate.model_validate({"name": "n", "repo_url": "/r", "model": both})
    with pytest.raises(ValidationError, match="api_key_secret"):
        ProjectCreate.model_validate(
            {"name": "n", "repo_url": "/r", "model": {**MODEL, "api_key_secret": "a.b"}}
        )


def test_names_and_message_ids() -> None:
    assert command_subject(Stage.PREP, "acme", "prj-1") == "devteam.cmd.prep.acme.prj-1"
    assert event_subject("acme", "prj-1", "run-1") == "devteam.evt.acme.prj-1.run-1"
    assert msg_id("run-1", "1.2", 2, Stage.IMPLEMENT) == "run-1/1.2/2/implement"


def test_task_ids_from_task_lists_are_accepted() -> None:
    for task_id in ("1", "1.2.3", "T-12", "#12", "~1.2", "PROJ-7"):
        TaskRef(id=task_id, title="t")
    sha = "a" * 40
    cmd = ImplementCommand(
        run_id="run-1", tenant="t", project_id="p", task=TaskRef(id="1", title="t"),
        base_sha=sha, from_sha=sha, config=RunConfig(),
    )  # fmt: skip
    assert cmd.attempt == 1
