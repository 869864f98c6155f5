"""Scenario loading and routing of the scripted model (pure logic, tmp files only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devteam_scripted_model.scenario import (
    FALLBACK_COMMIT_MESSAGE,
    FALLBACK_EDIT_REPLY,
    FALLBACK_RULE_NAME,
    Router,
    ScenarioError,
    classify,
    load_scenario,
    parse_scenario,
)

# What Aider 0.86 sends its weak model when it wants a commit message (abridged).
COMMIT_SYSTEM = (
    "You are an expert software engineer that generates concise, one-line Git commit messages "
    "based on the provided diffs."
)


def edit_request(text: str) -> list[dict[str, Any]]:
    return [
        {"role": "system", "content": "Act as an expert software developer."},
        {"role": "user", "content": "earlier"},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": text},
    ]


def commit_request(diff: str) -> list[dict[str, Any]]:
    user = f"\nUSER: do it\n\nASSISTANT: done\n\n# Diffs:\n{diff}"
    return [{"role": "system", "content": COMMIT_SYSTEM}, {"role": "user", "content": user}]


SCENARIO_YAML = """
rules:
  - name: flaky
    when: "add greeting"
    status: 500
    times: 1
  - name: greet
    when: "add greeting"
    reply: |
      hello.py
      ```
      print("hello")
      ```
  - name: repair
    when: "(?s)failed.*AssertionError"
    reply: fixed
  - name: commit-hello
    kind: commit_message
    when: "hello\\\\.py"
    reply: "feat: add greeting"
"""


@pytest.fixture
def router(tmp_path: Path) -> Router:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO_YAML)
    return Router(load_scenario(path))


def test_classify_tells_commit_requests_from_edits() -> None:
    assert classify(commit_request("diff --git a/x b/x")) == "commit_message"
    assert classify(edit_request("please write a commit message helper")) == "edit"
    # A "# Diffs:" block without Aider's commit system prompt is still an edit request.
    assert classify(edit_request("# Diffs:\nfoo")) == "edit"


def test_first_match_in_order_with_times_then_fall_through(router: Router) -> None:
    first = router.route(edit_request("please add greeting"))
    assert (first.rule, first.status) == ("flaky", 500)
    second = router.route(edit_request("please add greeting"))
    assert (second.rule, second.status) == ("greet", None)
    assert second.reply.startswith("hello.py\n```")
    assert router.route(edit_request("please add greeting")).rule == "greet"


def test_when_is_matched_against_the_last_user_message_only(router: Router) -> None:
    messages = edit_request("unrelated")
    messages[1]["content"] = "add greeting"  # an earlier user message does not count
    answer = router.route(messages)
    assert (answer.rule, answer.reply) == (FALLBACK_RULE_NAME, FALLBACK_EDIT_REPLY)


def test_reflection_is_routable_by_regex(router: Router) -> None:
    answer = router.route(edit_request("The tests failed:\nE   AssertionError: 1 != 2"))
    assert answer.rule == "repair"


def test_commit_rules_and_fallback_commit_message(router: Router) -> None:
    hit = router.route(commit_request("+++ b/hello.py"))
    assert (hit.rule, hit.kind, hit.reply) == (
        "commit-hello",
        "commit_message",
        "feat: add greeting",
    )
    miss = router.route(commit_request("+++ b/other.py"))
    assert (miss.rule, miss.reply) == (FALLBACK_RULE_NAME, FALLBACK_COMMIT_MESSAGE)


def test_edit_rules_never_answer_commit_requests() -> None:
    router = Router(parse_scenario({"rules": [{"name": "any", "reply": "x"}]}))
    assert router.route(commit_request("+x")).rule == FALLBACK_RULE_NAME
    assert router.route(edit_request("anything")).rule == "any"


def test_content_parts_are_read_as_text() -> None:
    router = Router(parse_scenario({"rules": [{"name": "parts", "when": "ab", "reply": "y"}]}))
    parts = [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
    assert router.route([{"role": "user", "content": parts}]).rule == "parts"


def test_json_scenario_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"rules": [{"name": "a", "reply": "b", "delay_s": 1.5}]}))
    assert load_scenario(path).rules[0].delay_s == 1.5
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert load_scenario(empty).rules == []


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"rules": [{"name": "a", "colour": "red"}]}, "colour"),
        ({"rules": [{"name": "a", "kind": "summary"}]}, "kind"),
        ({"rules": [{"name": "a", "when": "(unclosed"}]}, "invalid regex"),
        ({"rules": [{"name": "a", "status": 200}]}, "status"),
        ({"rules": [{"name": "a", "times": 0}]}, "times"),
        ({"rules": [{"reply": "no name"}]}, "name"),
        ({"rule": []}, "rule"),
    ],
)
def test_strict_schema_gives_clear_errors(data: Any, needle: str) -> None:
    with pytest.raises(ScenarioError, match="invalid scenario") as info:
        parse_scenario(data, "test.yaml")
    assert needle in str(info.value)
    assert "test.yaml" in str(info.value)


def test_unreadable_or_malformed_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [unclosed")
    with pytest.raises(ScenarioError, match="not valid"):
        load_scenario(bad)
