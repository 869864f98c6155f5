"""Tenant usage: a run's total overwrites, never increments; ended runs fold once (pure)."""

from datetime import UTC, datetime

from devteam_contracts.usage import RECENTLY_ENDED, TenantUsage, Usage, total

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
