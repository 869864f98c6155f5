"""Contracts: strict models, id rules, the JSON Schema copies kept in sync."""

import json

import pytest
from pydantic import ValidationError

from devteam_contracts import asyncapi, schema
from devteam_contracts.commands import ImplementCommand, SelectCommand, TaskRef
from devteam_contracts.event_data import EventType, TaskVerifiedData
from devteam_contracts.events import parse_event
from devteam_contracts.ids import is_safe_id, new_project_id, new_run_id
from devteam_contracts.projects import ProjectCreate
from devteam_contracts.repoconfig import RunConfig
from devteam_contracts.subjects import (
    Stage,
    audit_filter,
    audit_subject,
    command_subject,
    event_subject,
    events_filter,
    live_event_subject,
    msg_id,
    parse_command_subject,
    parse_event_subject,
)

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


def test_every_event_type_has_its_payload_model_and_its_message_on_the_bus() -> None:
    documented = asyncapi.document()
    on_bus = {documented["components"]["messages"][m.split("/")[-1]]["name"]
              for m in (ref["$ref"] for ref in documented["channels"]["runEvents"]["messages"]
                        .values())}  # fmt: skip
    assert on_bus == {t.value for t in EventType}
    assert {m.model_fields["type"].annotation.__args__[0] for m in asyncapi.EVENT_MEMBERS} == set(
        EventType
    )


def test_an_event_whose_payload_is_not_its_types_is_refused() -> None:
    envelope = {"run_id": "run-aaaaaaaaaaaa", "tenant": "acme", "project_id": "prj-aaaaaaaaaaaa",
                "at": "2026-12-01T09:30:00Z"}  # fmt: skip
    verified = {**envelope, "type": "task.verified", "data": {"duration_s": 1.5, "head_sha": "a"}}
    assert parse_event(json.dumps(verified)).data == TaskVerifiedData(duration_s=1.5, head_sha="a")
    with pytest.raises(ValidationError, match=r"task\.verified"):
        parse_event(json.dumps({**verified, "data": {"lines": ["x"]}}))  # a log's payload
    with pytest.raises(ValidationError, match="does not match any of the expected tags"):
        parse_event(json.dumps({**verified, "type": "task.guessed"}))


def test_subjects_are_parsed_back_by_the_module_that_builds_them() -> None:
    stored = event_subject("acme", "prj-aaaaaaaaaaaa", "run-bbbbbbbbbbbb")
    live = live_event_subject("acme", "prj-aaaaaaaaaaaa", "run-bbbbbbbbbbbb")
    for subject in (stored, live):
        assert parse_event_subject(subject) == ("acme", "prj-aaaaaaaaaaaa", "run-bbbbbbbbbbbb")
    command = command_subject(Stage.VERIFY, "acme", "prj-aaaaaaaaaaaa")
    assert parse_command_subject(command) == (Stage.VERIFY, "acme", "prj-aaaaaaaaaaaa")
    for wrong in ("devteam.evt.acme.prj", "devteam.evt.acme..run", "devteam.cmd.verify.acme",
                  "devteam.audit.acme", "x.evt.a.b.c", "devteam.live.cmd.a.b.c",
                  "devteam.evt.Acme.prj-a.run-b"):  # fmt: skip
        assert parse_event_subject(wrong) is None
    for wrong in ("devteam.cmd.deploy.acme.prj", "devteam.cmd.verify.acme", stored,
                  "devteam.cmd.verify.-acme.prj"):  # fmt: skip
        assert parse_command_subject(wrong) is None
    assert events_filter() == "devteam.evt.*.*.*"
    assert events_filter(project="prj-a") == "devteam.evt.*.prj-a.*"
    assert audit_filter() == "devteam.audit.*" and audit_filter("acme") == audit_subject("acme")
