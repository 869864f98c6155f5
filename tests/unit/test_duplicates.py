"""Duplicate deliveries (a command redelivered while the first delivery still works, as in a
NATS leader failover): a late one never moves a run back, never replaces the change the run
went on with, and never fails a run that moved on (pure)."""

from datetime import UTC, datetime

from devteam_contracts.commands import ImplementCommand
from devteam_contracts.runs import (
    AttemptCode,
    AttemptRecord,
    CurrentTask,
    RunMode,
    RunState,
    RunStatus,
)
from devteam_contracts.subjects import Stage
from devteam_contracts.usage import Usage
from devteam_runs.transitions import behind, is_stale, recorded_change, with_attempt

AT = datetime(2026, 12, 1, tzinfo=UTC)


def at(task: str, attempt: int, stage: Stage) -> CurrentTask:
    return CurrentTask(id=task, title=f"task {task}", stage=stage, attempt=attempt)


def test_moving_back_is_refused_and_the_same_position_allowed() -> None:
    now = at("1", 1, Stage.VERIFY)
    assert not behind(now, at("1", 1, Stage.VERIFY))  # redo after a crash
    assert not behind(now, at("1", 1, Stage.COMPLETE))
    assert not behind(now, at("1", 2, Stage.IMPLEMENT))  # a repair
    assert behind(now, at("1", 1, Stage.IMPLEMENT))
    assert behind(at("1", 2, Stage.IMPLEMENT), at("1", 1, Stage.VERIFY))  # late attempt 1
    assert behind(at("2", 1, Stage.PREP), at("1", 1, Stage.VERIFY))  # the run moved on
    assert behind(None, at("1", 1, Stage.VERIFY))


def record(head: str | None, prompt: int, code: AttemptCode = AttemptCode.CHANGED) -> AttemptRecord:
    return AttemptRecord(task_id="1", attempt=1, code=code, runner="host", duration_s=1,
                         head_sha=head, usage=Usage(prompt_tokens=prompt, requests=1))  # fmt: skip


def run_state() -> RunState:
    return RunState(id="run-a", tenant="t", project_id="p", mode=RunMode.CONTINUOUS,
                    state=RunStatus.RUNNING, created_at=AT, updated_at=AT)  # fmt: skip


def test_the_first_change_of_an_attempt_wins_and_every_attempt_is_paid_for() -> None:
    run = with_attempt(run_state(), record("aaa", 100))
    run = with_attempt(run, record("bbb", 70))  # the duplicate made another commit
    run = with_attempt(run, record(None, 30, AttemptCode.NO_CHANGE))  # and a third failed
    first = recorded_change(run, "1", 1)
    assert first is not None and first.head_sha == "aaa"
    assert [a.head_sha for a in run.attempts] == ["aaa"] and run.attempts_total == 1
    assert run.usage.prompt_tokens == 200
    # a commit judged unusable (a protected file) is no change to keep
    judged = with_attempt(run_state(), record("ccc", 10, AttemptCode.PROTECTED_PATH))
    assert recorded_change(judged, "1", 1) is None
    assert with_attempt(judged, record("ddd", 10)).attempts[0].head_sha == "ddd"
    # the same delivery recording its change again replaces it (a redo after a crash)
    again = with_attempt(run, record("aaa", 100))
    assert again.usage.prompt_tokens == 200 and len(again.attempts) == 1


def test_a_command_for_a_task_the_run_left_is_stale() -> None:
    cmd = ImplementCommand.model_validate(
        {
            "run_id": "run-a",
            "tenant": "t",
            "project_id": "p",
            "base_sha": "0" * 40,
            "task": {"id": "1", "title": "task 1"},
            "attempt": 1,
            "config": {"target_branch": "main", "verify": ["true"]},
        }
    )
    run = run_state()
    assert is_stale(run.model_copy(update={"current": at("2", 1, Stage.IMPLEMENT)}), cmd,
                    Stage.IMPLEMENT)  # fmt: skip
    assert not is_stale(run.model_copy(update={"current": at("1", 1, Stage.VERIFY)}), cmd,
                        Stage.IMPLEMENT)  # fmt: skip
