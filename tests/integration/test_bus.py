"""The bus against a real nats-server: provisioning, the stage worker's settlement rules,
compare-and-set run state, deduplication."""

import asyncio
import contextlib
import json
import time

import pytest
from nats.js import api

from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError, RunEndedError
from devteam_bus.kv import now
from devteam_bus.logstream import log_stream
from devteam_bus.provision import provision
from devteam_bus.publish import publish_command
from devteam_bus.service import serve
from devteam_bus.settings import BusSettings
from devteam_bus.worker import StageWorker
from devteam_contracts.commands import SelectCommand
from devteam_contracts.runs import FailureCode, RunMode, RunState, RunStatus
from devteam_contracts.subjects import (
    STREAM_AUDIT,
    STREAM_COMMANDS,
    STREAM_EVENTS,
    Stage,
    command_subject,
    durable_name,
    stage_filter,
)
from devteam_git.errors import GitError, MergeConflictError, RemoteError
from devteam_runs.admission import AdmissionKeeper, AdmissionStore
from devteam_runs.cancellation import unless_ended
from devteam_runs.delivery_watch import DeliveryWatch
from devteam_runs.run_store import RunStore
from devteam_runs.stages import CommandFailer
from devteam_runs.sweeps import StuckRuns
from devteam_runs.transitions import cancel_run

from support import eventually


async def new_run(bus: Bus, run_id: str = "run-1") -> RunState:
    at = now()
    run = RunState(
        id=run_id, tenant="acme", project_id="prj-1", mode=RunMode.CONTINUOUS,
        state=RunStatus.RUNNING, created_at=at, updated_at=at,
    )  # fmt: skip
    await RunStore(bus).create(run)
    return run


def select_cmd(run_id: str = "run-1", selection: int = 1) -> SelectCommand:
    return SelectCommand(run_id=run_id, tenant="acme", project_id="prj-1", selection=selection)


async def start_worker(
    bus: Bus, settings: BusSettings, handler: object, concurrency: int = 1
) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    fail = CommandFailer(bus, Stage.SELECT)
    worker = StageWorker(bus, settings, Stage.SELECT, SelectCommand, handler, fail, concurrency)  # type: ignore[arg-type]
    return stop, asyncio.create_task(worker.run(stop))


async def stop_worker(stop: asyncio.Event, task: asyncio.Task[None]) -> None:
    stop.set()
    await asyncio.wait_for(task, 10)


async def pending(bus: Bus) -> int:
    info = await bus.js.stream_info(STREAM_COMMANDS)
    return int(info.state.messages)


async def audit_records(bus: Bus) -> list[dict[str, object]]:
    info = await bus.js.stream_info(STREAM_AUDIT)
    out = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await bus.js.get_msg(STREAM_AUDIT, seq)
        out.append(json.loads(msg.data or b"{}"))
    return out


async def test_provision_is_idempotent_and_streams_have_their_rules(
    bus: Bus, bus_settings: BusSettings
) -> None:
    await provision(bus, bus_settings)
    await provision(bus, bus_settings)
    cmd = await bus.js.stream_info(STREAM_COMMANDS)
    assert cmd.config.retention == api.RetentionPolicy.WORK_QUEUE
    audit = await bus.js.stream_info(STREAM_AUDIT)
    assert audit.config.deny_delete and audit.config.deny_purge


async def test_handled_command_is_acked_and_removed(bus: Bus, bus_settings: BusSettings) -> None:
    await new_run(bus)
    seen: list[SelectCommand] = []

    async def handler(cmd: SelectCommand) -> None:
        seen.append(cmd)

    stop, task = await start_worker(bus, bus_settings, handler)
    await publish_command(bus, Stage.SELECT, select_cmd())
    await eventually(lambda: _true(len(seen) == 1), what="handler called")
    await eventually(lambda: _true_async(pending(bus), 0), what="work-queue message removed")
    await stop_worker(stop, task)
    assert seen == [select_cmd()]


async def test_duplicate_msg_id_is_dropped(bus: Bus) -> None:
    await publish_command(bus, Stage.SELECT, select_cmd())
    await publish_command(bus, Stage.SELECT, select_cmd())
    assert await pending(bus) == 1


async def test_malformed_command_is_terminated_recorded_and_fails_the_run(
    bus: Bus, bus_settings: BusSettings
) -> None:
    await new_run(bus)
    calls = 0

    async def handler(cmd: SelectCommand) -> None:
        nonlocal calls
        calls += 1

    await new_run(bus, "run-2")
    await new_run(bus, "run-ok")
    stop, task = await start_worker(bus, bus_settings, handler)
    bad = json.dumps({"run_id": "run-1", "tenant": "acme", "selection": "many"}).encode()
    future = {**select_cmd("run-2").model_dump(mode="json"), "version": 2}
    subject = command_subject(Stage.SELECT, "acme", "prj-1")
    await bus.js.publish(subject, bad)  # valid JSON, wrong schema
    await bus.js.publish(subject, b"\xff not json")  # not JSON at all
    await bus.js.publish(subject, json.dumps(future).encode())  # an unknown contract version
    run = await eventually(
        lambda: _failed_run(bus, "run-1"), what="run failed by a malformed command"
    )
    assert run.failure is not None and "malformed select command" in run.failure.reason
    newer = await eventually(lambda: _failed_run(bus, "run-2"), what="run failed by a v2 command")
    assert newer.failure is not None and "version" in newer.failure.reason
    records = await eventually(lambda: _audits(bus, 3), what="three audit records")
    assert {r["action"] for r in records} == {"command.rejected"}
    # The worker keeps serving: a good command after the bad ones is handled.
    await publish_command(bus, Stage.SELECT, select_cmd("run-ok"))
    await eventually(lambda: _true(calls == 1), what="the good command handled")
    await eventually(lambda: _true_async(pending(bus), 0), what="nothing left waiting")
    await stop_worker(stop, task)
    assert calls == 1


async def test_unexpected_errors_are_retried_then_the_run_fails_as_poisoned(
    bus: Bus, bus_settings: BusSettings
) -> None:
    await new_run(bus)
    calls = 0

    async def handler(cmd: SelectCommand) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("disk on fire")

    stop, task = await start_worker(bus, bus_settings, handler)
    await publish_command(bus, Stage.SELECT, select_cmd())
    run = await eventually(lambda: _failed_run(bus, "run-1"), what="poisoned run failed")
    await stop_worker(stop, task)
    assert calls == bus_settings.max_deliver
    assert run.failure is not None
    assert run.failure.reason.startswith(f"gave up after {bus_settings.max_deliver} attempts")
    assert "disk on fire" in run.failure.reason


@pytest.mark.parametrize(
    ("error", "calls_expected", "code"),
    [
        (GitError("git checkout failed (exit 128): bad object"), 1, FailureCode.GIT_ERROR),
        (
            RemoteError("git fetch failed (exit 128): Could not resolve host"),
            3,
            FailureCode.GAVE_UP,
        ),
        (MergeConflictError(["a.py"]), 1, FailureCode.CONFLICT),
    ],
)
async def test_the_error_class_alone_decides_between_retry_and_failure(
    bus: Bus, bus_settings: BusSettings, error: Exception, calls_expected: int, code: FailureCode
) -> None:
    """A stage raises; the worker maps: the repository's own failure ends the run at once with
    its code, the remote's is retried until max_deliver (3 here), then the run gives up."""
    await new_run(bus)
    calls = 0

    async def handler(cmd: SelectCommand) -> None:
        nonlocal calls
        calls += 1
        raise error.within("cannot prepare the worktree")  # type: ignore[attr-defined]

    stop, task = await start_worker(bus, bus_settings, handler)
    await publish_command(bus, Stage.SELECT, select_cmd())
    run = await eventually(lambda: _failed_run(bus, "run-1"), what="run failed")
    await stop_worker(stop, task)
    assert calls == calls_expected
    assert run.failure is not None and run.failure.code is code
    assert "cannot prepare the worktree: " in run.failure.reason


async def test_work_that_cannot_reach_nats_past_the_outage_limit_fails_its_run(
    bus: Bus, bus_settings: BusSettings
) -> None:
    """A stage whose publish keeps finding no stream (as while NATS is away) retries for
    `nats_outage_s`, then the run fails saying so, and the command is not retried."""
    await new_run(bus)
    bus.outage_s = 1.0
    calls = 0

    async def handler(cmd: SelectCommand) -> None:
        nonlocal calls
        calls += 1
        await bus.retrying(lambda: bus.js.publish("devteam.nowhere", b"x"), "publishing")

    stop, task = await start_worker(bus, bus_settings, handler)
    await publish_command(bus, Stage.SELECT, select_cmd())
    run = await eventually(lambda: _failed_run(bus, "run-1"), what="the run failed")
    await eventually(lambda: _true_async(pending(bus), 0), what="the command settled")
    await stop_worker(stop, task)
    assert calls == 1
    assert run.failure is not None and run.failure.code is FailureCode.NATS_UNAVAILABLE
    assert "DEVTEAM_NATS_OUTAGE_S (1 s)" in run.failure.reason
    assert "NoStreamResponseError" in run.failure.reason


async def test_permanent_error_fails_the_run_without_retry(
    bus: Bus, bus_settings: BusSettings
) -> None:
    await new_run(bus)
    calls = 0

    async def handler(cmd: SelectCommand) -> None:
        nonlocal calls
        calls += 1
        raise PermanentError("tasks_list.md not found", "tail")

    stop, task = await start_worker(bus, bus_settings, handler)
    await publish_command(bus, Stage.SELECT, select_cmd())
    run = await eventually(lambda: _failed_run(bus, "run-1"), what="run failed")
    await eventually(lambda: _true_async(pending(bus), 0), what="message terminated")
    await stop_worker(stop, task)
    assert calls == 1
    assert run.failure is not None
    assert (run.failure.reason, run.failure.output_tail) == ("tasks_list.md not found", "tail")


async def test_long_job_is_kept_alive_past_ack_wait(bus: Bus, bus_settings: BusSettings) -> None:
    await new_run(bus)
    calls = 0

    async def handler(cmd: SelectCommand) -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(bus_settings.ack_wait_s * 2.5)

    stop, task = await start_worker(bus, bus_settings, handler)
    await publish_command(bus, Stage.SELECT, select_cmd())
    await eventually(lambda: _true_async(pending(bus), 0), timeout_s=30, what="acked")
    info = await bus.js.consumer_info(STREAM_COMMANDS, durable_name(Stage.SELECT))
    await stop_worker(stop, task)
    assert calls == 1
    assert info.num_redelivered == 0


async def test_a_worker_settles_up_to_its_concurrency_at_once(
    bus: Bus, bus_settings: BusSettings
) -> None:
    runs = [f"run-{i}" for i in range(5)]
    for run_id in runs:
        await new_run(bus, run_id)
    running, most = 0, 0
    release = asyncio.Event()

    async def handler(cmd: SelectCommand) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await release.wait()
        running -= 1

    stop, task = await start_worker(bus, bus_settings, handler, concurrency=3)
    for run_id in runs:
        await publish_command(bus, Stage.SELECT, select_cmd(run_id))
    await eventually(lambda: _true(running == 3), what="three commands in hand at once")
    await asyncio.sleep(0.5)
    assert (running, most) == (3, 3)  # never more than the limit
    release.set()
    await eventually(lambda: _true_async(pending(bus), 0), what="all five settled")
    await stop_worker(stop, task)
    assert most == 3


async def test_stopping_drains_the_commands_in_hand(bus: Bus, bus_settings: BusSettings) -> None:
    for i in range(3):
        await new_run(bus, f"run-{i}")
    finished: list[str] = []

    async def handler(cmd: SelectCommand) -> None:
        await asyncio.sleep(1.5)
        finished.append(cmd.run_id)

    stop, task = await start_worker(bus, bus_settings, handler, concurrency=4)
    for i in range(3):
        await publish_command(bus, Stage.SELECT, select_cmd(f"run-{i}"))
    await eventually(lambda: _true_async(_ack_pending(bus), 3), what="three in hand")
    await stop_worker(stop, task)  # returns only after the three have finished and been acked
    assert sorted(finished) == ["run-0", "run-1", "run-2"]
    await eventually(lambda: _true_async(pending(bus), 0), what="the three acked")


async def _ack_pending(bus: Bus) -> int:
    info = await bus.js.consumer_info(STREAM_COMMANDS, durable_name(Stage.SELECT))
    return int(info.num_ack_pending)


async def test_compare_and_set_applies_every_concurrent_update(bus: Bus) -> None:
    await new_run(bus)
    store = RunStore(bus)

    def bump(run: RunState) -> RunState:
        return run.model_copy(update={"selections": run.selections + 1})

    await asyncio.gather(*(store.update("run-1", bump) for _ in range(10)))
    run = await store.get("run-1")
    assert run is not None and run.selections == 10


async def test_one_active_run_per_project(bus: Bus) -> None:
    store = RunStore(bus)
    assert await store.acquire_project("acme", "prj-1", "run-a") is None
    assert await store.acquire_project("acme", "prj-1", "run-a") is None  # re-entrant
    assert await store.acquire_project("acme", "prj-1", "run-b") == "run-a"
    await store.release_project("acme", "prj-1", "run-b")  # not the holder: no effect
    assert await store.acquire_project("acme", "prj-1", "run-b") == "run-a"
    await store.release_project("acme", "prj-1", "run-a")
    assert await store.acquire_project("acme", "prj-1", "run-b") is None


async def _true(value: bool) -> bool:
    return value


async def _true_async(coro: "asyncio.Future[int] | object", expected: int) -> bool:
    return await coro == expected  # type: ignore[misc]


async def _failed_run(bus: Bus, run_id: str) -> RunState | None:
    run = await RunStore(bus).get(run_id)
    return run if run and run.state is RunStatus.FAILED else None


async def _audits(bus: Bus, n: int) -> list[dict[str, object]] | None:
    records = await audit_records(bus)
    return records if len(records) >= n else None


async def test_a_failed_component_stops_the_service_with_an_error(
    bus_settings: BusSettings,
) -> None:
    class Broken:
        async def run(self, stop: asyncio.Event) -> None:
            raise RuntimeError("consumer lost")

    class Healthy:
        stopped = False

        async def run(self, stop: asyncio.Event) -> None:
            await stop.wait()
            Healthy.stopped = True

    code = await asyncio.wait_for(
        serve("test", lambda b, s: [Healthy(), Broken()], bus_settings), 20
    )
    assert code == 1
    assert Healthy.stopped  # the others were stopped cleanly first


async def test_a_flood_of_log_lines_is_rate_limited_with_a_note(bus: Bus) -> None:
    run = await new_run(bus)
    started = time.monotonic()
    async with log_stream(bus, run, Stage.VERIFY, "1", 1, lambda s: s) as logs:
        for i in range(20_000):
            await logs.line(f"line {i}")
    elapsed = time.monotonic() - started
    info = await bus.js.stream_info(STREAM_EVENTS)
    events = [
        json.loads((await bus.js.get_msg(STREAM_EVENTS, seq)).data or b"{}")
        for seq in range(info.state.first_seq, info.state.last_seq + 1)
    ]
    logs_events = [e for e in events if e["type"] == "log"]
    assert len(logs_events) <= elapsed / 0.2 + 3  # one event per interval at most
    notes = [line for e in logs_events for line in e["data"]["lines"] if "log rate limit" in line]
    assert notes and logs.dropped > 0
    kept = sum(len(e["data"]["lines"]) for e in logs_events) - len(notes)
    assert kept + logs.dropped == 20_000  # every line is either published or counted


async def test_a_command_whose_workers_die_on_it_fails_its_run_by_the_advisory(
    bus: Bus, bus_settings: BusSettings
) -> None:
    """Workers that take the command and die before settling it (here: fetched, never acked)
    cannot count deliveries; JetStream's max-deliveries advisory ends the run instead."""
    await new_run(bus)
    stop = asyncio.Event()
    watch = asyncio.create_task(DeliveryWatch(bus).run(stop))
    await asyncio.sleep(0.2)
    fail = CommandFailer(bus, Stage.SELECT)
    worker = StageWorker(bus, bus_settings, Stage.SELECT, SelectCommand, None, fail)  # type: ignore[arg-type]
    sub = await bus.js.pull_subscribe(
        stage_filter(Stage.SELECT), durable=durable_name(Stage.SELECT), stream=STREAM_COMMANDS,
        config=worker.consumer_config(),
    )  # fmt: skip
    await publish_command(bus, Stage.SELECT, select_cmd())
    for _ in range(bus_settings.max_deliver):
        [msg] = await sub.fetch(1, timeout=10)  # taken ... and the worker "dies"
    # The next worker asks for work; instead of a fourth delivery the server gives up.
    with contextlib.suppress(Exception):
        await sub.fetch(1, timeout=bus_settings.ack_wait_s * 2)
    run = await eventually(lambda: _failed_run(bus, "run-1"), timeout_s=20, what="run failed")
    assert run.failure is not None and run.failure.code.value == "gave_up"
    assert f"delivered {bus_settings.max_deliver} times" in run.failure.reason
    assert msg.metadata.num_delivered == bus_settings.max_deliver
    records = await eventually(lambda: _audits(bus, 1), what="recorded")
    assert records[-1]["action"] == "command.gave_up"
    await sub.unsubscribe()
    stop.set()
    await watch


async def test_a_run_whose_command_was_lost_is_failed_saying_what_was_found(bus: Bus) -> None:
    """Delete a run's command from the stream: the run would wait forever; the sweep ends it."""
    run = await new_run(bus)
    await AdmissionStore(bus).enqueue(run.id, run.tenant, run.project_id)
    await publish_command(bus, Stage.SELECT, select_cmd())
    sweep = StuckRuns(bus, after_s=0.5)
    await asyncio.sleep(1)
    assert await sweep.sweep() == []  # its command is there: only slow
    await bus.js.purge_stream(
        STREAM_COMMANDS, subject=command_subject(Stage.SELECT, "acme", "prj-1")
    )
    assert await sweep.sweep() == ["run-1"]
    failed = await RunStore(bus).get("run-1")
    assert failed is not None and failed.state is RunStatus.FAILED and failed.failure is not None
    assert failed.failure.code.value == "lost"
    assert "no select command was pending or in flight" in failed.failure.reason
    assert (await AdmissionStore(bus).state()).active == []  # its slot is free again


async def test_the_admission_keeper_repairs_what_a_crash_leaves(bus: Bus) -> None:
    store = AdmissionStore(bus)
    await store.enqueue("run-ghost", "acme", "prj-9")  # queued, then the gateway crashed
    at = now()
    stranded = RunState(
        id="run-1", tenant="acme", project_id="prj-1", mode=RunMode.CONTINUOUS,
        state=RunStatus.QUEUED, created_at=at, updated_at=at,
    )  # fmt: skip
    await RunStore(bus).create(stranded)
    await store.enqueue("run-1", "acme", "prj-1")  # admitted, but its first SELECT was lost
    keeper = AdmissionKeeper(bus, grace_s=0)
    await asyncio.sleep(0.05)
    await keeper.check()
    assert [e.run_id for e in (await store.state()).active] == ["run-1"]  # the ghost is gone
    assert await pending(bus) == 1  # run-1's start, published again
    await keeper.check()
    assert await pending(bus) == 1  # deduplicated: a repeat changes nothing


async def test_a_cancel_reaches_the_work_at_once_and_finished_work_keeps_its_result(
    bus: Bus,
) -> None:
    await new_run(bus, "run-cancel")
    work = asyncio.ensure_future(unless_ended(bus, "run-cancel", asyncio.sleep(60)))
    await asyncio.sleep(0.3)  # the watch has seen the run running
    assert not work.done()
    started = time.perf_counter()
    await cancel_run(bus, "run-cancel", "test")
    with pytest.raises(RunEndedError):
        await asyncio.wait_for(work, 5)
    assert time.perf_counter() - started < 0.5  # pushed by the watch, not found by a poll

    await new_run(bus, "run-done")
    assert await unless_ended(bus, "run-done", asyncio.sleep(0.1, "result")) == "result"
    with pytest.raises(RunEndedError):  # a run that is gone ends the work as well
        await unless_ended(bus, "run-missing", asyncio.sleep(60))


async def test_watching_a_running_run_never_takes_it_for_gone(bus: Bus) -> None:
    """nats-py may signal "no more current values" before it hands over the run's entry; the
    watch must not take that for a run that does not exist (the work would be dropped)."""
    await new_run(bus, "run-busy")
    results = await asyncio.gather(
        *(unless_ended(bus, "run-busy", asyncio.sleep(0.2, i)) for i in range(50))
    )
    assert results == list(range(50))
