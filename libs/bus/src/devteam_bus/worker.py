"""`StageWorker`: the one place a stage command is settled (ack / nak with delay / term).

Every service runs its stage logic through this loop, so all stages behave the same under
failure: malformed commands are terminated and recorded; an error that is not transient (see
`devteam_contracts.failures`: the error's class says) fails the run with its code and
terminates; anything transient or unexpected is nak'ed with a delay until `max_deliver`, after
which the run is failed as poisoned instead of being retried forever. A command is acked
only after the handler returned, i.e. after its effect is durable and the next command is
published. What "fail the run" means belongs to the run domain: the worker is given it (`FailRun`;
`devteam_runs.stage_worker` wires it).

A worker settles up to `concurrency` commands at once (`DEVTEAM_<STAGE>_CONCURRENCY`), each in
its own task with its own keep-alive; commands of one run never race, because a run has one
command in flight at a time and a project one active run.
"""

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from nats.aio.msg import Msg
from nats.errors import ConnectionClosedError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import api
from nats.js.errors import NotFoundError
from pydantic import ValidationError
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from devteam_bus.connection import Bus, NatsOutageError
from devteam_bus.errors import PermanentError, RunEndedError
from devteam_bus.progress import keep_alive
from devteam_bus.publish import command_queue_ms, publish_audit
from devteam_bus.settings import BusSettings
from devteam_contracts.audit import CommandRejected
from devteam_contracts.commands import CommandBase, TaskCommand
from devteam_contracts.failures import StageFailure
from devteam_contracts.ids import is_safe_id
from devteam_contracts.runs import FailureCode
from devteam_contracts.status import ProcessLoad, StageLoad
from devteam_contracts.subjects import (
    STREAM_COMMANDS,
    SYSTEM_TENANT,
    Stage,
    durable_name,
    parse_command_subject,
    stage_filter,
)

log = logging.getLogger(__name__)

C = TypeVar("C", bound=CommandBase)
Handler = Callable[[C], Awaitable[None]]


class FailRun(Protocol):
    """Ends a command's run as failed: `cmd` is None for a command too malformed to parse
    (only its run id was readable). Never called for a run that does not exist."""

    async def __call__(
        self, run_id: str, cmd: CommandBase | None, stage: Stage, error: StageFailure
    ) -> None: ...


class StageWorker(Generic[C]):
    """A durable pull consumer for one stage, shared by all replicas of that stage."""

    def __init__(
        self,
        bus: Bus,
        settings: BusSettings,
        stage: Stage,
        model: type[C],
        handler: Handler[C],
        fail_run: FailRun,
        concurrency: int | None = None,
    ) -> None:
        self.bus = bus
        self.fail_run = fail_run
        self.settings = settings
        self.stage = stage
        self.model = model
        self.handler = handler
        self.concurrency = concurrency or settings.concurrency(stage)
        self.in_flight = 0  # commands being handled now (reported by `devteam status`)

    def consumer_config(self) -> api.ConsumerConfig:
        """The durable consumer's settings, from `BusSettings`."""
        return api.ConsumerConfig(
            durable_name=durable_name(self.stage),
            filter_subject=stage_filter(self.stage),
            ack_policy=api.AckPolicy.EXPLICIT,
            ack_wait=self.settings.ack_wait_s,
            max_deliver=self.settings.max_deliver,
            max_ack_pending=self.settings.max_ack_pending,
            deliver_policy=api.DeliverPolicy.ALL,
        )

    async def _subscribe(self, stop: asyncio.Event) -> object:
        # The streams are provisioned by `devteam up` / the provision job; wait for them
        # (None: stopped first).
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(NotFoundError),
            wait=wait_exponential(multiplier=0.2, max=2.0),
            stop=lambda _state: stop.is_set(),
            before_sleep=lambda _state: log.info(
                "stream %s not there yet; waiting", STREAM_COMMANDS
            ),
            retry_error_callback=lambda _state: None,
        )
        return await retrying(
            self.bus.js.pull_subscribe,
            stage_filter(self.stage),
            durable=durable_name(self.stage),
            stream=STREAM_COMMANDS,
            config=self.consumer_config(),
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch and handle up to `concurrency` commands at once until `stop` is set, then
        let the ones in hand finish.

        Cancelled (after the shutdown grace period), the commands in hand are cancelled too;
        they are not acked, so JetStream redelivers them.
        """
        sub = await self._subscribe(stop)
        if sub is None:
            return
        log.info("%s worker ready (concurrency %d)", self.stage.value, self.concurrency)
        inflight: set[asyncio.Task[None]] = set()
        try:
            await self._loop(sub, stop, inflight)
            if inflight:
                await asyncio.wait(inflight)
        finally:
            for task in inflight:
                task.cancel()
            if inflight:
                await asyncio.wait(inflight, timeout=5)
            with contextlib.suppress(Exception):
                await sub.unsubscribe()  # type: ignore[attr-defined]

    async def _loop(
        self, sub: object, stop: asyncio.Event, inflight: set[asyncio.Task[None]]
    ) -> None:
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                free = self.concurrency - len(inflight)
                if free <= 0:
                    await asyncio.wait({stopping, *inflight}, return_when=asyncio.FIRST_COMPLETED)
                    continue
                try:
                    msgs = await sub.fetch(free, timeout=1)  # type: ignore[attr-defined]
                except (NatsTimeoutError, TimeoutError):
                    continue
                except ConnectionClosedError:
                    return
                except Exception as exc:  # reconnecting: keep the loop alive
                    log.warning("fetch failed (%s); retrying", exc)
                    await asyncio.sleep(0.5)
                    continue
                for msg in msgs:
                    task = asyncio.create_task(self._settle(msg))
                    inflight.add(task)
                    task.add_done_callback(inflight.discard)
        finally:
            stopping.cancel()

    def load(self) -> ProcessLoad:
        """How busy this worker is, for `devteam status`."""
        mine = StageLoad(in_flight=self.in_flight, concurrency=self.concurrency)
        return ProcessLoad.model_validate({self.stage.value: mine})

    async def _settle(self, msg: Msg) -> None:
        self.in_flight += 1
        try:
            await self.handle(msg)
        except Exception:  # settling failed (connection lost): JetStream redelivers
            log.exception("%s: could not settle a message; it will come back", self.stage)
        finally:
            self.in_flight -= 1

    async def handle(self, msg: Msg) -> None:
        """Settle one message; never raises."""
        try:
            cmd = self.model.model_validate_json(msg.data)
        except ValidationError as exc:
            await self._reject(msg, exc)
            return
        command_queue_ms.set(_queue_ms(msg))
        task = f" task {cmd.task.id} attempt {cmd.attempt}" if isinstance(cmd, TaskCommand) else ""
        log.info("%s: %s%s (delivery %d)", self.stage.value, cmd.run_id, task,
                 msg.metadata.num_delivered)  # fmt: skip
        try:
            async with keep_alive(msg, self.settings.ack_wait_s):
                await self.handler(cmd)
        except StageFailure as exc:
            if exc.transient:
                await self._retry(msg, cmd, exc)
            else:
                await self._fail(cmd, exc)
                await msg.term()
            return
        except NatsOutageError as exc:
            # The work may be done, but NATS stayed away past DEVTEAM_NATS_OUTAGE_S: say so in
            # the run once NATS answers again (if it never does, JetStream redelivers).
            log.error("%s: %s; failing run %s", self.stage.value, exc, cmd.run_id)
            reason = (
                f"NATS was unreachable for longer than DEVTEAM_NATS_OUTAGE_S "
                f"({self.bus.outage_s:.0f} s) while {self.stage.value} worked: {exc}"
            )
            await self._fail(cmd, PermanentError(reason, code=FailureCode.NATS_UNAVAILABLE))
            await msg.term()
            return
        except RunEndedError:
            log.info("%s: run %s ended while being worked on; dropped", self.stage, cmd.run_id)
            await msg.ack()
            return
        except Exception as exc:  # not a StageFailure: transient
            await self._retry(msg, cmd, exc)
            return
        await msg.ack()

    async def _retry(self, msg: Msg, cmd: C, exc: Exception) -> None:
        """Nak with a delay, or fail the run as `gave_up` after `max_deliver` deliveries."""
        delivered = msg.metadata.num_delivered
        if delivered >= self.settings.max_deliver:
            log.error("%s: giving up on %s after %d deliveries", self.stage, cmd, delivered,
                      exc_info=exc)  # fmt: skip
            reason = f"gave up after {delivered} attempts: {type(exc).__name__}: {exc}"
            await self._fail(cmd, PermanentError(reason, code=FailureCode.GAVE_UP))
            await msg.term()
        else:
            log.error("%s: error (delivery %d); will retry", self.stage.value, delivered,
                      exc_info=exc)  # fmt: skip
            await msg.nak(delay=self.settings.nak_delay_s)

    async def _fail(self, cmd: C, error: StageFailure) -> None:
        try:
            await self.fail_run(cmd.run_id, cmd, error.stage or self.stage, error)
        except Exception:
            log.exception("could not record the failure of run %s", cmd.run_id)

    async def _reject(self, msg: Msg, exc: ValidationError) -> None:
        """Terminate a malformed command and record why (audit stream, and the run if known)."""
        reason = (
            f"malformed {self.stage.value} command: {exc.error_count()} error(s): "
            + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        )
        log.error("%s (subject %s); terminating it", reason, msg.subject)
        whose = parse_command_subject(msg.subject)
        tenant = whose.tenant if whose else SYSTEM_TENANT
        run_id = _run_id_of(msg.data)
        with contextlib.suppress(Exception):
            await publish_audit(
                self.bus,
                tenant,
                f"service:{self.stage.value}",
                "command.rejected",
                msg.subject,
                "terminated",
                CommandRejected(reason=reason, run_id=run_id, bytes=len(msg.data)),
            )
        if run_id:
            error = PermanentError(reason, code=FailureCode.MALFORMED_COMMAND)
            with contextlib.suppress(Exception):
                await self.fail_run(run_id, None, self.stage, error)
        await msg.term()


def _queue_ms(msg: Msg) -> float | None:
    """Time between the command's arrival in the stream and now."""
    try:
        stored = msg.metadata.timestamp
    except Exception:  # not a JetStream message
        return None
    return round(max(0.0, (time.time() - stored.timestamp()) * 1000), 1)


def _run_id_of(data: bytes) -> str | None:
    try:
        value = json.loads(data)
    except ValueError:
        return None
    run_id = value.get("run_id") if isinstance(value, dict) else None
    return run_id if isinstance(run_id, str) and is_safe_id(run_id) else None
