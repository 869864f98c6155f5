"""Scenario files: ordered rules that decide what the scripted model answers.

A scenario is a list of rules tried first-match in file order. A request is first classified
(an ordinary edit request, or Aider asking its weak model for a commit message); a rule applies
when its kind equals the request's kind, its `when` regex (if any) matches the text of the last
user message, and it has not been used up (`times`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

RuleKind = Literal["edit", "commit_message"]

FALLBACK_EDIT_REPLY = "no scripted reply matched"
FALLBACK_COMMIT_MESSAGE = "chore: apply scripted change"
FALLBACK_RULE_NAME = "<fallback>"

# Aider's commit-message request: a system prompt about one-line git commit messages and a user
# message that starts with (or contains) the "# Diffs:" block. Both must hold, so an edit request
# that merely talks about commits is not mistaken for one.
_COMMIT_SYSTEM = re.compile(r"commit message", re.IGNORECASE)
_COMMIT_USER = re.compile(r"^# Diffs:", re.MULTILINE)


class ScenarioError(ValueError):
    """A scenario file is missing, unreadable or does not match the schema."""


class Rule(BaseModel):
    """One scripted answer and the conditions under which it is given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="Shown in the request log as the matched rule.")
    when: str | None = Field(
        default=None,
        description="Regex searched in the last user message; absent means always.",
    )
    kind: RuleKind = Field(default="edit", description="Which kind of request this rule answers.")
    reply: str = Field(default="", description="The assistant text returned.")
    status: int | None = Field(
        default=None, ge=400, le=599, description="Answer with this HTTP error instead."
    )
    times: int | None = Field(
        default=None, ge=1, description="Use at most this many times, then fall through."
    )
    delay_s: float = Field(default=0.0, ge=0, description="Sleep this long before answering.")

    @field_validator("when")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"invalid regex {value!r}: {exc}") from exc
        return value


class Scenario(BaseModel):
    """An ordered list of rules plus the fallback commit message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: list[Rule] = Field(default_factory=list, description="Tried first-match in order.")
    fallback_commit_message: str = Field(
        default=FALLBACK_COMMIT_MESSAGE,
        description="Commit message given when no commit_message rule matches.",
    )


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate already-decoded scenario data; raise ScenarioError naming the source."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{source}: invalid scenario:\n{exc}") from exc


def load_scenario(path: Path) -> Scenario:
    """Read a scenario from a YAML or JSON file (JSON is chosen by the .json suffix)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read scenario: {exc}") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: not valid {path.suffix or 'YAML'}: {exc}") from exc
    return parse_scenario(data if data is not None else {}, str(path))


def message_text(message: dict[str, Any]) -> str:
    """The text of one chat message, whether content is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return "".join(p for p in parts if isinstance(p, str))
    return ""


def last_user_text(messages: list[dict[str, Any]]) -> str:
    """The text of the last message whose role is user ("" if none)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message)
    return ""


def classify(messages: list[dict[str, Any]]) -> RuleKind:
    """Tell an Aider commit-message request from an edit request by its content."""
    system = "\n".join(message_text(m) for m in messages if m.get("role") == "system")
    if _COMMIT_SYSTEM.search(system) and _COMMIT_USER.search(last_user_text(messages)):
        return "commit_message"
    return "edit"


@dataclass(frozen=True)
class Answer:
    """What to send back for one request."""

    rule: str
    kind: RuleKind
    reply: str
    status: int | None = None
    delay_s: float = 0.0


class Router:
    """Routes requests to rules, counting uses so `times` limits hold across requests."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._uses = [0] * len(scenario.rules)

    def route(self, messages: list[dict[str, Any]]) -> Answer:
        """Pick the first applicable rule (and count the use), or the built-in fallback."""
        kind = classify(messages)
        text = last_user_text(messages)
        for index, rule in enumerate(self.scenario.rules):
            if rule.kind != kind:
                continue
            if rule.times is not None and self._uses[index] >= rule.times:
                continue
            if rule.when is not None and not re.search(rule.when, text):
                continue
            self._uses[index] += 1
            return Answer(rule.name, kind, rule.reply, rule.status, rule.delay_s)
        if kind == "commit_message":
            return Answer(FALLBACK_RULE_NAME, kind, self.scenario.fallback_commit_message)
        return Answer(FALLBACK_RULE_NAME, kind, FALLBACK_EDIT_REPLY)
