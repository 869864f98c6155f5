"""Admission as pure logic: caps, FIFO within a tenant, round-robin between tenants, queue
limits, positions."""

from datetime import UTC, datetime, timedelta

import pytest

from devteam_contracts.admission import (
    AdmissionLimits,
    AdmissionState,
    Entry,
    QueueFullError,
    WaitingOn,
    enqueue,
    queue_info,
    release,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def entry(run: str, tenant: str, n: int = 0) -> Entry:
    return Entry(run_id=run, tenant=tenant, project_id=f"p-{run}", at=T0 + timedelta(seconds=n))


def queue_all(
    state: AdmissionState, entries: list[Entry], limits: AdmissionLimits
) -> tuple[AdmissionState, list[str]]:
    started: list[str] = []
    for e in entries:
        state, admitted = enqueue(state, e, limits)
        started += [a.run_id for a in admitted]
    return state, started


def test_runs_start_at_once_under_the_caps_and_wait_over_them() -> None:
    limits = AdmissionLimits(max_active=3, tenant_max_active=2)
    state, started = queue_all(
        AdmissionState(), [entry(f"a{i}", "acme", i) for i in range(4)], limits
    )
    assert started == ["a0", "a1"]  # the tenant's cap
    assert [e.run_id for e in state.queued] == ["a2", "a3"]
    state, started = queue_all(state, [entry("g0", "globex", 9), entry("g1", "globex", 10)], limits)
    assert started == ["g0"]  # the global cap
    state, admitted = release(state, "a0", limits, T0)
    # the freed slot: acme (served longest ago) is under its cap again, FIFO within it
    assert [a.run_id for a in admitted] == ["a2"]


def test_fifty_queued_runs_delay_another_tenants_first_run_by_one_slot_at_most() -> None:
    limits = AdmissionLimits(max_active=2, tenant_max_active=2)
    state, _ = queue_all(AdmissionState(), [entry(f"big{i}", "big", i) for i in range(52)], limits)
    state, started = queue_all(state, [entry("small0", "small", 100)], limits)
    assert started == [] and len(state.queued) == 51
    order: list[str] = []
    for done in ("big0", "big1", "big2"):
        state, admitted = release(state, done, limits, T0)
        order += [a.run_id for a in admitted]
    assert order[0] == "small0"  # the very next slot
    assert order == ["small0", "big2", "big3"]


def test_between_tenants_slots_go_round_robin_and_fifo_within_each() -> None:
    limits = AdmissionLimits(max_active=1, tenant_max_active=1)
    state, _ = queue_all(AdmissionState(), [entry("x", "zeta", 0)], limits)
    runs = [entry(f"a{i}", "acme", 1 + i) for i in range(3)]
    runs += [entry(f"b{i}", "bolt", 10 + i) for i in range(3)]
    state, _ = queue_all(state, runs, limits)
    order: list[str] = []
    running = "x"
    for _ in range(6):
        state, admitted = release(state, running, limits, T0)
        running = admitted[0].run_id
        order.append(running)
    assert order == ["a0", "b0", "a1", "b1", "a2", "b2"]
    assert state.served.keys() == {"bolt"}  # tenants without runs are forgotten


def test_the_tenant_queue_limit_refuses_with_a_reason_and_changes_nothing() -> None:
    limits = AdmissionLimits(max_active=1, tenant_max_active=1, tenant_max_queued=2)
    state, _ = queue_all(AdmissionState(), [entry(f"a{i}", "acme", i) for i in range(3)], limits)
    with pytest.raises(QueueFullError, match="acme already has 2 queued run"):
        enqueue(state, entry("a3", "acme", 3), limits)
    # another tenant's queue is its own
    state, _ = enqueue(state, entry("g0", "globex", 4), limits)
    assert [e.run_id for e in state.queued] == ["a1", "a2", "g0"]


def test_enqueue_is_idempotent_and_release_of_a_waiting_run_cancels_it() -> None:
    limits = AdmissionLimits(max_active=1)
    state, _ = queue_all(AdmissionState(), [entry("a0", "acme"), entry("a1", "acme", 1)], limits)
    again, admitted = enqueue(state, entry("a1", "acme", 1), limits)
    assert again == state and admitted == []
    state, admitted = release(state, "a1", limits, T0)  # cancelled while waiting
    assert admitted == [] and state.queued == []
    assert [e.run_id for e in state.active] == ["a0"]


def test_queue_info_gives_the_admission_order_and_the_cap_waited_on() -> None:
    limits = AdmissionLimits(max_active=3, tenant_max_active=2)
    runs = [entry(f"a{i}", "acme", i) for i in range(4)] + [entry("g0", "globex", 5)]
    runs += [entry("g1", "globex", 6)]
    state, started = queue_all(AdmissionState(), runs, limits)
    assert started == ["a0", "a1", "g0"]
    a2, g1, a3 = (queue_info(state, r, limits) for r in ("a2", "g1", "a3"))
    assert a2 is not None and g1 is not None and a3 is not None
    # globex was served last, so acme's a2 comes first, then globex, then acme again
    assert (a2.position, g1.position, a3.position) == (1, 2, 3)
    assert a2.waiting_on is WaitingOn.TENANT_CAP and (a2.tenant_active, a2.active) == (2, 3)
    assert g1.waiting_on is WaitingOn.GLOBAL_CAP
    assert queue_info(state, "a0", limits) is None  # admitted: not waiting
