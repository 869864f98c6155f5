"""Reason codes of an attempt, judged from git facts and the model's answers (pure)."""

import pytest

from devteam_aider import Accounting, ModelCall
from devteam_contracts.commands import FailedCheck
from devteam_contracts.runs import AttemptCode
from devteam_implement.outcome import GitFacts, judge, repair_failure, usage_of

NOTHING = GitFacts(changed=[], touched=[], protected=[])
ANSWERED = ModelCall(kind="edit", ok=True, duration_s=0.1, prompt_tokens=100, completion_tokens=20)


def failed(error_type: str, status: int | None) -> ModelCall:
    return ModelCall(kind="edit", ok=False, duration_s=0.1, error_type=error_type,
                     http_status=status, error="boom")  # fmt: skip


def code_of(
    git: GitFacts = NOTHING,
    accounting: Accounting | None = None,
    *,
    cancelled: bool = False,
    timed_out: bool = False,
) -> AttemptCode:
    return judge(
        cancelled=cancelled,
        timed_out=timed_out,
        timeout_s=600,
        git=git,
        tasks_file="tasks_list.md",
        accounting=accounting,
        request_timeout_s=60,
    ).code


def test_a_change_is_changed_unless_it_touches_the_list_or_a_protected_path() -> None:
    ok = Accounting(calls=[ANSWERED])
    assert code_of(GitFacts(["a.py"], ["a.py"], []), ok) is AttemptCode.CHANGED
    listed = GitFacts(["a.py"], ["a.py", "tasks_list.md"], [])
    assert code_of(listed, ok) is AttemptCode.EDITED_TASKS_FILE
    configured = GitFacts(["a.py"], ["a.py", ".devteam.toml"], [])
    assert code_of(configured, ok) is AttemptCode.EDITED_CONFIG
    assert code_of(GitFacts(["a.py"], ["a.py", "sub/.devteam.toml"], []), ok) is AttemptCode.CHANGED
    guarded = GitFacts(["tests/t.py"], ["tests/t.py"], ["tests/t.py"])
    assert code_of(guarded, ok) is AttemptCode.PROTECTED_PATH


def test_the_end_of_the_run_and_the_time_limit_come_first() -> None:
    changed = GitFacts(["a.py"], ["a.py"], [])
    assert code_of(changed, cancelled=True) is AttemptCode.CANCELLED
    assert code_of(changed, timed_out=True) is AttemptCode.TIMEOUT


@pytest.mark.parametrize(
    ("calls", "code", "status"),
    [
        ([ANSWERED], AttemptCode.NO_CHANGE, None),
        ([failed("AuthenticationError", 401)], AttemptCode.MODEL_AUTH_ERROR, 401),
        ([failed("PermissionDeniedError", 403)], AttemptCode.MODEL_AUTH_ERROR, 403),
        ([failed("InternalServerError", 500)] * 3, AttemptCode.MODEL_HTTP_ERROR, 500),
        ([failed("RateLimitError", 429)], AttemptCode.MODEL_HTTP_ERROR, 429),
        ([failed("APIConnectionError", 500)], AttemptCode.MODEL_HTTP_ERROR, None),
        ([failed("Timeout", 408)] * 2, AttemptCode.MODEL_TIMEOUT, None),
        # A failure followed by an answer: the answer counts, and it changed nothing.
        ([failed("InternalServerError", 500), ANSWERED], AttemptCode.NO_CHANGE, None),
        ([], AttemptCode.AIDER_CRASHED, None),
    ],
)
def test_no_change_is_explained_by_the_last_edit_request(
    calls: list[ModelCall], code: AttemptCode, status: int | None
) -> None:
    judgement = judge(
        cancelled=False, timed_out=False, timeout_s=600, git=NOTHING, tasks_file="t.md",
        accounting=Accounting(calls=calls), request_timeout_s=60,
    )  # fmt: skip
    assert (judgement.code, judgement.http_status) == (code, status)


def test_malformed_edits_crashes_and_silence() -> None:
    malformed = Accounting(calls=[ANSWERED, ANSWERED], malformed_responses=2)
    assert code_of(accounting=malformed) is AttemptCode.MALFORMED_EDIT
    crashed = Accounting(calls=[ANSWERED], crashed="KeyError: 'x'")
    assert code_of(accounting=crashed) is AttemptCode.AIDER_CRASHED
    assert code_of(accounting=None) is AttemptCode.AIDER_CRASHED
    # A commit-message call is not an edit request.
    only_commit = Accounting(calls=[ModelCall(kind="commit_message", ok=True, duration_s=0)])
    assert code_of(accounting=only_commit) is AttemptCode.AIDER_CRASHED


def test_a_failed_repair_names_what_failed_and_what_the_repair_did() -> None:
    check = FailedCheck(command="python -m pytest -q", outcome="exited with 1")
    nothing = judge(
        cancelled=False, timed_out=False, timeout_s=600, git=NOTHING, tasks_file="t.md",
        accounting=Accounting(calls=[ANSWERED]), request_timeout_s=60,
    )  # fmt: skip
    assert repair_failure(check, 3, nothing) == (
        "`python -m pytest -q` exited with 1 after 3 attempt(s); the last repair made no change"
    )
    refused = judge(
        cancelled=False, timed_out=False, timeout_s=600, git=NOTHING, tasks_file="t.md",
        accounting=Accounting(calls=[failed("AuthenticationError", 401)]), request_timeout_s=60,
    )  # fmt: skip
    assert "the last repair failed: the model endpoint refused the API key (HTTP 401)" in (
        repair_failure(check, 2, refused)
    )


def test_usage_prices_beat_reported_cost_and_unknown_stays_unknown() -> None:
    reported = ModelCall(kind="edit", ok=True, duration_s=0, prompt_tokens=1000,
                         completion_tokens=100, reported_cost=0.5)  # fmt: skip
    acc = Accounting(calls=[reported, failed("Timeout", 408)])
    assert usage_of(acc, None, None).cost_usd == 0.5
    priced = usage_of(acc, 2.0, 10.0)
    assert priced.cost_usd == pytest.approx((1000 * 2.0 + 100 * 10.0) / 1e6)
    assert (priced.prompt_tokens, priced.completion_tokens, priced.requests) == (1000, 100, 2)
    assert usage_of(Accounting(calls=[ANSWERED]), None, None).cost_usd is None
    assert usage_of(None, 1.0, 1.0).requests == 0
