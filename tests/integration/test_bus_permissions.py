"""NATS with the real per-identity permissions (devteam_bus.nats_auth), for real: one
nats-server for the module, every identity signed in with its own nkey.

The bus pieces run as the services run them (stage worker loops, KV, the object store,
events, the live feed, the max-deliveries advisory, `devteam.status`): a permission one of
them lacks fails a test here (and is logged as "NATS refused"). Then each identity tries
what it must not do, and the server refuses it while the state stays as it was."""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nats
import nats.errors
import pytest
from nats.js import api

from devteam_bus.bundles import BundleStore
from devteam_bus.connection import Bus, NatsAuthError, connect
from devteam_bus.credentials import (
    CredentialsError,
    credentials_path,
    ensure_credentials,
    new_seed,
    public_keys,
    render,
)
from devteam_bus.logstream import log_stream
from devteam_bus.nats_auth import Identity, authorization
from devteam_bus.provision import provision
from devteam_bus.publish import publish_audit, publish_command, publish_event
from devteam_bus.settings import BusSettings
from devteam_bus.status import StatusResponder, survey
from devteam_bus.worker import StageWorker
from devteam_cli.nats_server import NatsNode, free_port, start_nats, stop_process
from devteam_contracts.audit import Pushed
from devteam_contracts.commands import (
    CompleteCommand,
    ImplementCommand,
    PrepCommand,
    SelectCommand,
    TaskRef,
    VerifyCommand,
)
from devteam_contracts.event_data import TaskSelectedData
from devteam_contracts.projects import Project
from devteam_contracts.repoconfig import RunConfig
from devteam_contracts.runs import CurrentTask, RunCreate, RunStatus
from devteam_contracts.subjects import (
    BUCKET_BUDGETS,
    BUCKET_SECRETS,
    BUCKET_TOKENS,
    EVENTS_LIVE_SUBJECTS,
    STREAM_COMMANDS,
    STREAM_EVENTS,
    Stage,
    durable_name,
    stage_filter,
    tasks_rpc_subject,
)
from devteam_contracts.tasks import TasksReply, TasksRequest
from devteam_forge import ForgeSettings
from devteam_git.settings import WorkspaceSettings
from devteam_runs.admission import AdmissionStore
from devteam_runs.delivery_watch import DeliveryWatch
from devteam_runs.launch import queue_run
from devteam_runs.run_store import RunStore
from devteam_runs.stages import CommandFailer, load_active
from devteam_runs.transitions import advance, cancel_run, complete_run, hand_on
from devteam_selector.pull_request import PullRequests
from devteam_selector.tasks_rpc import TasksResponder
from devteam_tenants import Secrets, SecretsSettings, SecretStore, new_key
from devteam_tenants.budgets import BudgetStore
from devteam_tenants.projects import ProjectStore
from devteam_tenants.tokens import TokenStore

from support import eventually

BASE, HEAD = "a" * 40, "b" * 40
SECRETS_KEY = new_key()
KEY = SecretsSettings(secrets_key=SECRETS_KEY)


class AuthedNats:
    """The module's nats-server, which admits the identities whose credentials are in
    `creds`, and a way to sign in as each."""

    def __init__(self, url: str, creds: Path) -> None:
        self.url = url
        self.creds = creds

    async def bus(self, identity: Identity, **settings: Any) -> Bus:
        return await connect(self.settings(identity, **settings), f"test-{identity.value}")

    def settings(self, identity: Identity, **overrides: Any) -> BusSettings:
        return BusSettings(
            nats_url=self.url,
            nats_credentials=credentials_path(self.creds, identity),
            ack_wait_s=1.5,
            max_deliver=2,
            nak_delay_s=0.1,
            connect_timeout_s=5,
            nats_outage_s=5,  # a refused call times out like an outage: fail soon
            **overrides,
        )


@pytest.fixture(scope="module")
def authed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthedNats]:
    root = tmp_path_factory.mktemp("authed-nats")
    creds = ensure_credentials(root / "nats-auth")
    port = free_port()
    node = NatsNode(root / "nats", port, authorization=authorization(public_keys(creds)))
    proc = start_nats(node, root / "nats.log")
    yield AuthedNats(node.url, root / "nats-auth")
    stop_process(proc)


@pytest.fixture(scope="module")
async def provisioned(authed: AuthedNats) -> AuthedNats:
    bus = await authed.bus(Identity.PROVISION)
    try:
        await provision(bus, authed.settings(Identity.PROVISION))
    finally:
        await bus.close()
    return authed


@contextlib.asynccontextmanager
async def signed_in(authed: AuthedNats, *identities: Identity) -> AsyncIterator[list[Bus]]:
    buses = [await authed.bus(identity) for identity in identities]
    try:
        yield buses
    finally:
        for bus in buses:
            await bus.close()


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("NATS refused")]


# --- signing in ----------------------------------------------------------------------------


async def test_only_the_configured_identities_get_in(
    authed: AuthedNats, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(nats.errors.Error, match="Authorization Violation"):
        await nats.connect(authed.url, allow_reconnect=False, connect_timeout=2)
    with pytest.raises(NatsAuthError, match="no credentials"):
        await connect(BusSettings(nats_url=authed.url, connect_timeout_s=5), "anonymous")
    # a well-formed seed the server does not know, under a known identity's name
    stranger = tmp_path / "stranger.nk"
    stranger.write_text(render(Identity.OPERATOR, new_seed()))
    with pytest.raises(NatsAuthError, match="refused"):
        await connect(BusSettings(nats_url=authed.url, nats_credentials=stranger), "stranger")
    broken = tmp_path / "broken.nk"
    broken.write_text("identity: operator\nSUAnotaseed\n")
    with pytest.raises(CredentialsError, match="not a valid nkey"):
        await connect(BusSettings(nats_url=authed.url, nats_credentials=broken), "broken")
    assert any("refused the credentials" in r for r in refusals(caplog))


# --- what the services do, with their own permissions ---------------------------------------


def project(tenant: str, project_id: str) -> Project:
    return Project.model_validate(
        {"id": project_id, "tenant": tenant, "name": project_id, "repo_url": "/nowhere",
         "created_at": datetime.now(UTC),
         "credentials": {"username": "x-access-token", "token_secret": "git-token"},
         "model": {"name": "openai/scripted", "api_base": "http://127.0.0.1:9/v1"}}
    )  # fmt: skip


def task_command(cmd: SelectCommand) -> PrepCommand:
    return PrepCommand(
        run_id=cmd.run_id, tenant=cmd.tenant, project_id=cmd.project_id,
        task=TaskRef(id="1", title="the task"), config=RunConfig(), base_sha=BASE,
    )  # fmt: skip


async def run_state(bus: Bus, run_id: str, *states: RunStatus) -> Any:
    run = await RunStore(bus).get(run_id)
    return run if run is not None and run.state in states else None


async def test_every_stage_and_the_gateway_work_with_their_own_permissions(
    provisioned: AuthedNats, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs of one tenant with one active slot: the gateway registers, stores a secret and
    queues both; select, prep, implement, verify and complete (each a stage worker loop as its
    own identity) take the first through, handing a bundle from implement to verify and
    complete; ending it admits the second, which goes through too. The gateway hears every
    event live, the operator replays them, asks who is on the bus and cancels a third run."""
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("DEVTEAM_TENANT_MAX_ACTIVE_RUNS", "1")
    authed, tenant = provisioned, "acme"
    who = (Identity.GATEWAY, Identity.SELECTOR, Identity.PREP, Identity.IMPLEMENT,
           Identity.VERIFY, Identity.OPERATOR)  # fmt: skip
    async with signed_in(authed, *who) as (gw, sel, prep, impl, ver, op):
        live: list[str] = []

        async def heard(msg: Any) -> None:
            live.append(msg.subject)

        await gw.nc.subscribe(EVENTS_LIVE_SUBJECTS.replace(">", f"{tenant}.>"), cb=heard)
        store = SecretStore.from_settings(gw, KEY)
        await store.put(tenant, "git-token", "ghp_tok")
        for pid in ("prj-a", "prj-b", "prj-c"):
            await ProjectStore(gw).put(project(tenant, pid))
        seen_secrets: list[str | None] = []

        async def select(cmd: SelectCommand) -> None:
            loaded = await load_active(sel, cmd)
            assert loaded is not None
            secrets = Secrets(sel, cmd.tenant, KEY)
            seen_secrets.append(await secrets.lookup("git-token", None, "credentials"))
            current = CurrentTask(id="1", title="the task", stage=Stage.PREP, attempt=1)
            run = await RunStore(sel).update(cmd.run_id, lambda r: r.model_copy(
                update={"state": RunStatus.RUNNING, "current": current}))  # fmt: skip
            assert run is not None
            selected = TaskSelectedData(title="the task", base_sha="0" * 40, selection=1)
            await publish_event(sel, run, selected, stage=Stage.SELECT, task_id="1",
                                dedup_id="selected-1")  # fmt: skip
            await publish_command(sel, Stage.PREP, task_command(cmd))

        async def prep_(cmd: PrepCommand) -> None:
            assert await load_active(prep, cmd, Stage.PREP) is not None
            secrets = Secrets(prep, cmd.tenant, KEY)
            seen_secrets.append(await secrets.lookup("git-token", None, "credentials"))
            run = await advance(prep, cmd, Stage.IMPLEMENT)
            assert run is not None
            await hand_on(prep, run, cmd, Stage.IMPLEMENT, cmd.next(ImplementCommand))

        async def implement(cmd: ImplementCommand) -> None:
            assert await load_active(impl, cmd, Stage.IMPLEMENT) is not None
            await BundleStore(impl).put(cmd.run_id, cmd.task.id, cmd.attempt, HEAD, b"bundle")
            run = await advance(impl, cmd, Stage.VERIFY)
            assert run is not None
            await hand_on(impl, run, cmd, Stage.VERIFY, cmd.next(VerifyCommand, head_sha=HEAD))

        async def verify(cmd: VerifyCommand) -> None:
            loaded = await load_active(ver, cmd, Stage.VERIFY)
            assert loaded is not None
            bundle = await BundleStore(ver).get(cmd.run_id, cmd.task.id, cmd.attempt, HEAD)
            assert bundle == b"bundle"
            secrets = Secrets(ver, cmd.tenant, KEY)
            seen_secrets.append(await secrets.lookup("git-token", None, "credentials"))
            async with log_stream(ver, loaded.run, Stage.VERIFY, "1", 1, str) as logs:
                await logs.line("1 passed")
            run = await advance(ver, cmd, Stage.COMPLETE)
            assert run is not None
            await publish_command(ver, Stage.COMPLETE, cmd.next(CompleteCommand, head_sha=HEAD))

        async def complete(cmd: CompleteCommand) -> None:
            assert await load_active(sel, cmd, Stage.COMPLETE) is not None
            assert await BundleStore(sel).get(cmd.run_id, "1", 1, HEAD) == b"bundle"
            pushed = Pushed(branch="main", commit="0" * 40, run_id=cmd.run_id, task_id="1")
            await publish_audit(sel, cmd.tenant, "service:complete", "repo.push", "main", "ok",
                                pushed)  # fmt: skip
            await complete_run(sel, cmd.run_id, "every task done")

        stop = asyncio.Event()
        stages: list[tuple[Bus, Identity, Stage, Any, Callable[[Any], Awaitable[None]]]] = [
            (sel, Identity.SELECTOR, Stage.SELECT, SelectCommand, select),
            (sel, Identity.SELECTOR, Stage.COMPLETE, CompleteCommand, complete),
            (prep, Identity.PREP, Stage.PREP, PrepCommand, prep_),
            (impl, Identity.IMPLEMENT, Stage.IMPLEMENT, ImplementCommand, implement),
            (ver, Identity.VERIFY, Stage.VERIFY, VerifyCommand, verify),
        ]
        tasks = []
        for bus, identity, stage, model, handler in stages:
            worker = StageWorker(bus, authed.settings(identity), stage, model, handler,
                                 CommandFailer(bus, stage))  # fmt: skip
            tasks.append(asyncio.create_task(worker.run(stop)))
            if stage is not Stage.COMPLETE:  # one process, one answer: the selector's
                status = StatusResponder(bus, identity.value, worker.load)
                tasks.append(asyncio.create_task(status.run(stop)))
        try:
            body = RunCreate()
            first = await queue_run(gw, tenant, "token:t", "prj-a", body, "k-a")
            second = await queue_run(gw, tenant, "token:t", "prj-b", body, "k-b")
            assert (first.state, second.state) == (RunStatus.QUEUED, RunStatus.QUEUED)
            for run_id in (first.run_id, second.run_id):
                done = lambda r=run_id: run_state(op, r, RunStatus.COMPLETED)  # noqa: E731
                await eventually(done, timeout_s=30, what=f"{run_id} completed")
            assert seen_secrets == ["ghp_tok"] * 6
            # the bundles went with their runs (deleted by whoever ended them)
            assert await BundleStore(op).get(first.run_id, "1", 1, HEAD) is None
            answers = await survey(op, wait_s=0.5)
            assert sorted(a.service for a in answers) == sorted(i.value for i in who[1:5])
        finally:
            stop.set()
            await asyncio.wait(tasks, timeout=10)
        # The operator cancels a queued run (its SELECT waits, no worker takes it).
        third = await queue_run(gw, tenant, "token:t", "prj-c", RunCreate(), "k-c")
        cancelled = await cancel_run(op, third.run_id, "operator:test")
        assert cancelled is not None and cancelled.state is RunStatus.CANCELLED
        assert (await AdmissionStore(op).state()).active == []
        # The operator replays the first run's events; the gateway heard them all live.
        sub = await op.js.subscribe(f"devteam.evt.{tenant}.prj-a.{first.run_id}",
                                    stream=STREAM_EVENTS, ordered_consumer=True)  # fmt: skip
        replayed = []
        with contextlib.suppress(nats.errors.TimeoutError):
            while True:
                replayed.append((await sub.next_msg(timeout=0.5)).subject)
        await sub.unsubscribe()
        # queued, admitted, selected, prepared? (none here), log, completed
        assert len(replayed) >= 5
        assert set(replayed) == {f"devteam.evt.{tenant}.prj-a.{first.run_id}"}
        live_subject = f"devteam.live.evt.{tenant}.prj-a.{first.run_id}"
        assert live.count(live_subject) == len(replayed)
    assert refusals(caplog) == []


async def test_the_max_deliveries_advisory_reaches_the_selector(
    provisioned: AuthedNats, caplog: pytest.LogCaptureFixture
) -> None:
    """A prep worker that takes a command and dies on it every time: JetStream's advisory
    reaches the selector's delivery watch, which fails the run and deletes the command."""
    authed, tenant = provisioned, "globex"
    async with signed_in(authed, Identity.GATEWAY, Identity.SELECTOR, Identity.PREP) as buses:
        gw, sel, prep = buses
        await ProjectStore(gw).put(project(tenant, "prj-x"))
        accepted = await queue_run(gw, tenant, "token:t", "prj-x", RunCreate(), "k-x")
        run = await RunStore(gw).get(accepted.run_id)
        assert run is not None
        stop = asyncio.Event()
        watch = asyncio.create_task(DeliveryWatch(sel).run(stop))
        await asyncio.sleep(0.2)
        settings = authed.settings(Identity.PREP)
        fail = CommandFailer(prep, Stage.PREP)
        worker = StageWorker(prep, settings, Stage.PREP, PrepCommand, None, fail)  # type: ignore[arg-type]
        sub = await prep.js.pull_subscribe(stage_filter(Stage.PREP), durable=durable_name(
            Stage.PREP), stream=STREAM_COMMANDS, config=worker.consumer_config())  # fmt: skip
        cmd = SelectCommand(run_id=run.id, tenant=tenant, project_id="prj-x", selection=1)
        await publish_command(sel, Stage.PREP, task_command(cmd))
        for _ in range(settings.max_deliver):
            await sub.fetch(1, timeout=10)  # taken, never settled
        with contextlib.suppress(Exception):
            await sub.fetch(1, timeout=settings.ack_wait_s + 0.5)
        failed = await eventually(lambda: run_state(gw, run.id, RunStatus.FAILED),
                                  timeout_s=20, what="the run failed")  # fmt: skip
        assert failed.failure.code.value == "gave_up"
        info = await sel.js.stream_info(STREAM_COMMANDS, subjects_filter="devteam.cmd.prep.>")
        assert not info.state.subjects
        stop.set()
        await watch
        await sub.unsubscribe()
    assert refusals(caplog) == []


# --- what each identity must not do ---------------------------------------------------------


async def refused(caplog: pytest.LogCaptureFixture, what: str) -> None:
    """Wait for the server's refusal of `what` (nats-py's error callback logs each)."""

    async def found() -> bool:
        return any(what.lower() in r.lower() for r in refusals(caplog))

    await eventually(found, timeout_s=5, what=f"NATS refusing {what}")


async def publish_refused(
    caplog: pytest.LogCaptureFixture, client: Any, subject: str, data: bytes, **kw: Any
) -> None:
    """`client` publishes to `subject`, and the server refuses it."""
    await client.nc.publish(subject, data, **kw)
    await refused(caplog, f'publish to "{subject}"')


async def _pings(op: Bus) -> bool:
    with contextlib.suppress(Exception):
        return bool(await op.nc.request("$SRV.PING.devteam-tasks", b"", timeout=0.5))
    return False


async def test_each_identity_is_refused_what_it_must_not_do(
    provisioned: AuthedNats, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    authed = provisioned
    async with signed_in(
        authed, Identity.VERIFY, Identity.GATEWAY, Identity.OPERATOR, Identity.SELECTOR
    ) as (ver, gw, op, sel):
        # verify cannot delete a stream, nor purge one
        await publish_refused(caplog, ver, f"$JS.API.STREAM.DELETE.{STREAM_EVENTS}", b"")
        await publish_refused(caplog, ver, f"$JS.API.STREAM.PURGE.{STREAM_COMMANDS}", b"{}")
        # … nor forge another stage's command
        await publish_refused(caplog, ver, "devteam.cmd.prep.acme.prj-a", b"{}", headers={"x": "y"})
        # … nor write what the gateway owns, nor read the API tokens at all
        await publish_refused(caplog, ver, f"$KV.{BUCKET_SECRETS}.acme.git-token", b"forged")
        await publish_refused(caplog, ver, f"$KV.{BUCKET_TOKENS}.abc", b'{"tenant": "acme"}')
        await publish_refused(
            caplog, ver, f"$JS.API.STREAM.MSG.GET.KV_{BUCKET_TOKENS}", b'{"seq": 1}'
        )
        # … nor read every tenant's events, nor the secrets bucket as a whole
        await publish_refused(caplog, ver, f"$JS.API.CONSUMER.CREATE.{STREAM_EVENTS}", b"{}")
        await publish_refused(caplog, ver, f"$JS.API.CONSUMER.CREATE.KV_{BUCKET_SECRETS}", b"{}")
        # … nor widen its own consumer to every stage's commands, nor take implement's
        wide = f"$JS.API.CONSUMER.CREATE.{STREAM_COMMANDS}.devteam-verify.devteam.cmd.>"
        await publish_refused(caplog, ver, wide, b"{}")
        durable = f"$JS.API.CONSUMER.DURABLE.CREATE.{STREAM_COMMANDS}.devteam-verify"
        await publish_refused(caplog, ver, durable, b"{}")
        await ver.nc.publish(f"$JS.API.CONSUMER.MSG.NEXT.{STREAM_COMMANDS}.devteam-implement", b"1")
        await refused(caplog, "devteam-implement")
        # … nor listen to commands, events or another identity's replies
        for subject in ("devteam.cmd.>", "devteam.evt.>", EVENTS_LIVE_SUBJECTS, "_INBOX.>",
                        "_INBOX.gateway.>", "devteam.rpc.tasks.*.*"):  # fmt: skip
            await ver.nc.subscribe(subject)
            await refused(caplog, f'subscription to "{subject}"')

        # The gateway asks the selector's task service; the reply reaches the gateway's inbox
        # only, and the operator finds the service (NATS micro discovery) with its count.
        pulls = PullRequests(sel, ForgeSettings(), frozenset({"https"}))
        rpc = TasksResponder(sel, WorkspaceSettings(data_dir=tmp_path / "sel"), KEY, pulls)
        stop_rpc = asyncio.Event()
        serving = asyncio.create_task(rpc.run(stop_rpc))
        snooped: list[bytes] = []

        async def snoop(msg: Any) -> None:
            snooped.append(msg.data)

        await ver.nc.subscribe("_INBOX.gateway.>", cb=snoop)
        await eventually(lambda: _pings(op), what="the task service answering PING")
        asked = TasksRequest(tenant="acme", project_id="prj-none").model_dump_json().encode()
        reply = await gw.nc.request(tasks_rpc_subject("acme", "prj-none"), asked, timeout=5)
        answer = TasksReply.model_validate_json(reply.data)
        assert answer.problem is not None and answer.problem.message == "project not found"
        assert reply.subject.startswith("_INBOX.gateway.")
        stats = json.loads((await op.nc.request("$SRV.STATS.devteam-tasks", b"", timeout=5)).data)
        [endpoint] = stats["endpoints"]
        assert endpoint["subject"] == "devteam.rpc.tasks.*.*" and endpoint["num_requests"] == 1
        assert endpoint["queue_group"] == "devteam-selector"
        stop_rpc.set()
        await serving
        await asyncio.sleep(0.2)
        assert snooped == []
        # the gateway cannot create streams or buckets; the operator is not provisioning
        cfg = api.StreamConfig(name="STOLEN", subjects=["devteam.>"])
        await gw.nc.publish("$JS.API.STREAM.CREATE.STOLEN", json.dumps(cfg.as_dict()).encode())
        await refused(caplog, 'publish to "$JS.API.STREAM.CREATE.STOLEN"')
        await publish_refused(caplog, gw, "$JS.API.STREAM.CREATE.KV_stolen", b"{}")
        await publish_refused(caplog, op, f"$JS.API.STREAM.UPDATE.{STREAM_EVENTS}", b"{}")
        await publish_refused(caplog, op, f"$JS.API.STREAM.DELETE.{STREAM_COMMANDS}", b"")
        # the selector writes no API tokens
        await publish_refused(caplog, sel, f"$KV.{BUCKET_TOKENS}.abc", b'{"tenant": "acme"}')
        # no stage lifts a tenant's budget (only the gateway and the operator set budgets)
        for stage in (sel, ver):
            await publish_refused(caplog, stage, f"$KV.{BUCKET_BUDGETS}.acme", b"{}")
        # Nothing of it happened.
        names = {i.config.name for i in await op.js.streams_info()}
        assert {STREAM_EVENTS, STREAM_COMMANDS, f"KV_{BUCKET_SECRETS}"} <= names
        assert "STOLEN" not in names and "KV_stolen" not in names
        assert await TokenStore(op).tenant_of("abc") is None
        assert await BudgetStore(op).get("acme") is None
        tokens = await op.js.key_value(BUCKET_TOKENS)
        with pytest.raises(Exception, match=r"not found|no keys"):
            await tokens.get("abc")
        cmds = await op.js.stream_info(STREAM_COMMANDS, subjects_filter="devteam.cmd.prep.acme.>")
        assert not cmds.state.subjects
        # every consumer of the commands stream still reads its own stage's commands only
        for consumer in await op.js.consumers_info(STREAM_COMMANDS):
            stage = Stage(consumer.name.removeprefix("devteam-"))
            assert consumer.config.filter_subject == stage_filter(stage)
