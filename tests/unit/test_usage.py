"""Usage of runs and tenants: recorded totals overwrite, never increment; ended runs fold
once; a run keeps its latest attempts and every attempt's usage (pure)."""

from datetime import UTC, datetime

from devteam_contracts.runs import AttemptCode, AttemptRecord, RunMode, RunState, RunStatus
from devteam_contracts.usage import RECENTLY_ENDED, TenantUsage, Usage, tightest, total
from devteam_runs.transitions import ATTEMPTS_KEPT, with_attempt

AT = datetime(2026, 12, 1, tzinfo=UTC)


def u(prompt: int, cost: float | None = None) -> Usage:
    return Usage(prompt_tokens=prompt, completion_tokens=prompt // 10, cost_usd=cost, requests=1)


def test_recording_the_same_total_twice_counts_it_once() -> None:
    usage = TenantUsage(tenant="t", updated_at=AT)
    usage = usage.with_run("run-a", u(100), False, AT).with_run("run-a", u(100), False, AT)
    assert usage.total.prompt_tokens == 100
    usage = usage.with_run("run-a", u(250), False, AT)  # a second attempt of the run
    assert usage.total.prompt_tokens == 250


def test_an_ended_run_moves_to_ended_and_a_late_attempt_adds_its_difference() -> None:
    usage = TenantUsage(tenant="t", updated_at=AT).with_run("run-a", u(100, 0.1), False, AT)
    usage = usage.with_run("run-b", u(50), False, AT)
    usage = usage.with_run("run-a", u(100, 0.1), True, AT)
    assert usage.active.keys() == {"run-b"} and usage.ended_runs == 1
    again = usage.with_run("run-a", u(100, 0.1), True, AT)  # a redelivered end
    assert again.total == usage.total
    late = usage.with_run("run-a", u(130, 0.15), True, AT)  # a cancelled attempt, recorded late
    assert late.total.prompt_tokens == 180
    assert late.total.cost_usd == 0.15


def test_sums_and_unknown_costs() -> None:
    assert total([u(1), u(2, 0.5), u(3)]).cost_usd == 0.5
    assert total([u(1), u(2)]).cost_usd is None
    assert total([]).prompt_tokens == 0


def test_the_recent_runs_are_bounded() -> None:
    usage = TenantUsage(tenant="t", updated_at=AT)
    for n in range(RECENTLY_ENDED + 20):
        usage = usage.with_run(f"run-{n}", u(1), True, AT)
    assert len(usage.recent) == RECENTLY_ENDED
    assert usage.ended_runs == RECENTLY_ENDED + 20
    assert usage.total.prompt_tokens == RECENTLY_ENDED + 20


def run_state() -> RunState:
    return RunState(id="run-a", tenant="t", project_id="p", mode=RunMode.CONTINUOUS,
                    state=RunStatus.RUNNING, created_at=AT, updated_at=AT)  # fmt: skip


def record(task: str, attempt: int, usage: Usage) -> AttemptRecord:
    return AttemptRecord(task_id=task, attempt=attempt, code=AttemptCode.CHANGED,
                         runner="host", duration_s=1, usage=usage)  # fmt: skip


def test_a_redelivered_attempt_replaces_its_record_and_its_usage() -> None:
    run = with_attempt(run_state(), record("1", 1, u(100)))
    run = with_attempt(run, record("1", 1, u(120)))
    assert [(a.task_id, a.attempt) for a in run.attempts] == [("1", 1)]
    assert (run.attempts_total, run.usage.prompt_tokens) == (1, 120)


def test_a_long_run_keeps_the_latest_attempts_and_every_attempts_usage() -> None:
    run = run_state()
    for n in range(ATTEMPTS_KEPT + 50):
        run = with_attempt(run, record(str(n), 1, u(10)))
    assert len(run.attempts) == ATTEMPTS_KEPT
    assert run.attempts[-1].task_id == str(ATTEMPTS_KEPT + 49)
    assert run.attempts_total == ATTEMPTS_KEPT + 50
    assert run.usage.prompt_tokens == 10 * (ATTEMPTS_KEPT + 50)


def test_the_month_counts_what_was_spent_in_it_once() -> None:
    nov, dec = datetime(2026, 11, 30, 23, tzinfo=UTC), datetime(2026, 12, 1, 1, tzinfo=UTC)
    rec = TenantUsage(tenant="acme", updated_at=nov)
    rec = rec.with_run("run-1", Usage(prompt_tokens=100, requests=1), False, nov)
    rec = rec.with_run("run-1", Usage(prompt_tokens=100, requests=1), False, nov)  # recorded twice
    rec = rec.with_run("run-1", Usage(prompt_tokens=250, requests=2), True, dec)  # ends in December
    rec = rec.with_run("run-2", Usage(prompt_tokens=40, requests=1), False, dec)
    assert rec.month(nov) == Usage(prompt_tokens=100, requests=1)
    assert rec.month(dec) == Usage(prompt_tokens=190, requests=2)
    assert rec.total.prompt_tokens == 290  # the months add up to the whole
    assert tightest((100, None), (50, 2.0), (None, 1.0)) == (50, 1.0)
    assert tightest((None, None)) == (None, None)
