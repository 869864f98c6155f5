"""Landing as a pull request: what registration accepts, and the description a run keeps in
its pull request."""

import httpx
import pytest
from pydantic import ValidationError

from devteam_contracts.landing import LandConfig
from devteam_contracts.projects import ProjectCreate
from devteam_contracts.runs import TaskDone
from devteam_contracts.usage import Usage
from devteam_forge.client import error_message
from devteam_selector.pull_request import describe

PR = {
    "mode": "pull_request",
    "forge": "github",
    "api_base": "https://api.github.com",
    "repository": "acme/billing",
    "token_secret": "gh-token",
}
MODEL = {"name": "openai/x", "api_base": "https://llm.example.com/v1"}


def test_push_is_the_default_and_takes_no_forge() -> None:
    body = ProjectCreate(name="p", repo_url="/srv/p", model=MODEL)  # type: ignore[arg-type]
    assert body.land.mode == "push"
    with pytest.raises(ValidationError, match="mode push takes no forge"):
        LandConfig(mode="push", forge="github")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"forge": None}, "needs forge"),
        ({"api_base": None, "repository": None}, "needs api_base, repository"),
        ({"token_secret": None}, "one of token_secret or token_env"),
        ({"token_env": "GH_TOKEN"}, "one of token_secret or token_env"),
        ({"repository": "billing"}, "repository must be `owner/name`"),
        ({"repository": "acme/../billing"}, "repository must be `owner/name`"),
        ({"repository": "group/sub/billing"}, "a github repository is `owner/name`"),
        ({"api_base": "ftp://x"}, "String should match pattern"),
        ({"api_base": "https://api.github.com?token=x"}, "String should match pattern"),
        ({"forge": "bitbucket"}, "Input should be 'github', 'gitlab' or 'gitea'"),
        ({"token_env": "1BAD", "token_secret": None}, "environment variable name"),
    ],
)
def test_a_pull_request_landing_that_cannot_work_is_refused(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        LandConfig.model_validate({**PR, **change})


def test_gitlab_takes_nested_groups_and_env_tokens_are_named_for_the_allow_list() -> None:
    land = {**PR, "forge": "gitlab", "repository": "group/sub/billing"}
    land |= {"token_secret": None, "token_env": "GL_TOKEN"}
    body = ProjectCreate.model_validate(
        {"name": "p", "repo_url": "/srv/p", "model": MODEL, "land": land}
    )
    assert body.land.repository == "group/sub/billing"
    assert (("land", "token_env"), "GL_TOKEN") in body.env_references()


def done(task: str, title: str = "Add it", commit: str = "a" * 40) -> TaskDone:
    usage = Usage(prompt_tokens=1000, completion_tokens=234, cost_usd=0.0123, requests=2)
    return TaskDone(id=task, title=title, commit=commit, attempts=2, usage=usage,
                    checks=["pytest -q"])  # fmt: skip


def test_the_description_lists_the_tasks_and_keeps_what_people_wrote() -> None:
    first = describe("", "run-1", [done("1")], "tasks_list.md", "devteam/run-1")
    assert first.startswith("Work of DevTeam Runner from `tasks_list.md`, on `devteam/run-1`")
    assert "| `1` | Add it | 2 | 1,234 | $0.0123 | `pytest -q` | `aaaaaaaaaaaa` |" in first
    assert "**Run `run-1`**: 1 task(s), 1,234 tokens, $0.0123" in first

    edited = first + "\nReviewer: please also check the docs.\n"
    second = describe(edited, "run-1", [done("1"), done("2", "Next | one")], "t.md", "b")
    assert second.count("<!-- devteam:run run-1 -->") == 1
    assert "| `2` | Next \\| one | 2 |" in second  # a pipe in a title stays in its cell
    assert "2 task(s), 2,468 tokens, $0.0246" in second
    assert second.endswith("Reviewer: please also check the docs.\n")  # kept

    # A later run that continues the pull request adds its own section after the first.
    third = describe(second, "run-2", [done("3")], "t.md", "b")
    assert third.index("run-1 -->") < third.index("<!-- devteam:run run-2 -->")
    assert third.startswith(second.rstrip())
    assert describe(third, "run-2", [done("3")], "t.md", "b") == third  # nothing to update


def test_a_description_without_a_price_says_so_and_stays_under_the_forge_limit() -> None:
    free = TaskDone(id="1", title="x" * 500, commit="b" * 40)
    text = describe("", "run-1", [free] * 400, "t.md", "b")
    assert "| 1 | 0 | n/a | none |" in text
    assert len(text) <= 60_000 and text.endswith("(description cut: too long)\n")


def test_what_a_forge_says_goes_into_the_reason_only_as_its_json_message() -> None:
    """An `api_base` that answers with a page (an internal service, a proxy) is not echoed."""
    page = httpx.Response(502, text="<html>internal admin console: db password hunter2</html>")
    assert error_message(page) == "(an answer that is not JSON)"
    github = {
        "message": "Validation Failed",
        "errors": [{"message": "A pull request already exists for acme:devteam/run-1."}],
    }
    assert error_message(httpx.Response(422, json=github)) == (
        "Validation Failed; A pull request already exists for acme:devteam/run-1."
    )
    gitlab = {"message": ["Another open merge request already exists for this source branch: !3"]}
    assert error_message(httpx.Response(409, json=gitlab)).startswith("Another open merge request")
    assert len(error_message(httpx.Response(500, json={"message": "x" * 5000}))) == 300
