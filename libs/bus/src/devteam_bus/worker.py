"""`StageWorker`: the one place a stage command is settled (ack / nak with delay / term).

Every service runs its stage logic through this loop, so all stages behave the same under
failure: malformed commands are terminated and recorded, `PermanentError` fails the run and
terminates, anything unexpected is nak'ed with a delay until `max_deliver`, after which the run
is failed as poisoned instead of being retried forever. A command is acked only after the handler
returned, i.e. after its effect is durable and the next command is published.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from nats.aio.msg import Msg
from nats.errors import ConnectionClosedError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import api
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError, RunEndedError
from devteam_bus.lifecycle import fail_run
from devteam_bus.progress import keep_alive
from devteam_bus.publish import publish_audit
from devteam_bus.settings import BusSettings
from devteam_contracts.commands import CommandBase, TaskCommand
from devteam_contracts.ids import is_safe_id
from devteam_contracts.runs import FailureCode
from devteam_contracts.subjects import (
    STREAM_COMMANDS,
    SYSTEM_TENANT,
    Stage,
    durable_name,
    stage_filter,
)

log = logging.getLogger(__name__)

C = TypeVar("C", bound=CommandBase)
Handler = Callable[[C], Awaitable[None]]


class StageWorker(Generic[C]):
    """A durable pull consumer for one stage, shared by all replicas of that stage."""

    def __init__(
        self,
        bus: Bus,
        settings: BusSettings,
        stage: Stage,
        model: type[C],
        handler: Handler[C],
    ) -> None:
        self.bus = bus
        self.settings = settings
        self.stage = stage
        self.model = model
        self.handler = handler

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
        # The streams are provisioned by `devteam up` / the provision job; wait for them.
        delay = 0.2
        while not stop.is_set():
            try:
                return await self.bus.js.pull_subscribe(
                    stage_filter(self.stage),
                    durable=durable_name(self.stage),
                    stream=STREAM_COMMANDS,
                    config=self.consumer_config(),
                )
            except NotFoundError:
                log.info("stream %s not there yet; waiting", STREAM_COMMANDS)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
        return None

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch and handle commands one at a time until `stop` is set.

        The flag is checked between messages, so the message in hand is finished (or its
        handler cancelled by the caller after the grace period, leading to a redelivery).
        """
        sub = await self._subscribe(stop)
        if sub is None:
            return
        log.info("%s worker ready", self.stage.value)
        try:
            await self._loop(sub, stop)
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()  # type: ignore[attr-defined]

    async def _loop(self, sub: object, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                msgs = await sub.fetch(1, timeout=1)  # type: ignore[attr-defined]
            except (NatsTimeoutError, TimeoutError):
                continue
            except ConnectionClosedError:
                return
            except Exception as exc:  # reconnecting: keep the loop alive
                log.warning("fetch failed (%s); retrying", exc)
                await asyncio.sleep(0.5)
                continue
            for msg in msgs:
                try:
                    await self.handle(msg)
                except Exception:  # settling failed (connection lost): JetStream redelivers
                    log.exception("%s: could not settle a message; it will come back", self.stage)

    async def handle(self, msg: Msg) -> None:
        """Settle one message; never raises."""
        try:
            cmd = self.model.model_validate_json(msg.data)
        except ValidationError as exc:
            await self._reject(msg, exc)
            return
        try:
            async with keep_alive(msg, self.settings.ack_wait_s):
                await self.handler(cmd)
        except PermanentError as exc:
            await self._fail(cmd, exc.reason, exc.output_tail, exc.code, exc.stage)
            await msg.term()
            return
        except RunEndedError:
            log.info("%s: run %s ended while being worked on; dropped", self.stage, cmd.run_id)
            await msg.ack()
            return
        except Exception as exc:
            delivered = msg.metadata.num_delivered
            if delivered >= self.settings.max_deliver:
                log.exception("%s: giving up on %s after %d deliveries", self.stage, cmd, delivered)
                reason = f"gave up after {delivered} attempts: {type(exc).__name__}: {exc}"
                await self._fail(cmd, reason, "", FailureCode.GAVE_UP)
                await msg.term()
            else:
                log.exception("%s: error (delivery %d); will retry", self.stage.value, delivered)
                await msg.nak(delay=self.settings.nak_delay_s)
            return
        await msg.ack()

    async def _fail(
        self,
        cmd: C,
        reason: str,
        output_tail: str,
        code: FailureCode,
        stage: Stage | None = None,
    ) -> None:
        task_id = cmd.task.id if isinstance(cmd, TaskCommand) else None
        try:
            await fail_run(
                self.bus,
                cmd.run_id,
                stage or self.stage,
                reason,
                code=code,
                task_id=task_id,
                output_tail=output_tail,
            )
        except Exception:
            log.exception("could not record the failure of run %s", cmd.run_id)

    async def _reject(self, msg: Msg, exc: ValidationError) -> None:
        """Terminate a malformed command and record why (audit stream, and the run if known)."""
        reason = (
            f"malformed {self.stage.value} command: {exc.error_count()} error(s): "
            + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        )
        log.error("%s (subject %s); terminating it", reason, msg.subject)
        parts = msg.subject.split(".")
        tenant = parts[3] if len(parts) > 4 and is_safe_id(parts[3]) else SYSTEM_TENANT
        run_id = _run_id_of(msg.data)
        with contextlib.suppress(Exception):
            await publish_audit(
                self.bus,
                tenant,
                f"service:{self.stage.value}",
                "command.rejected",
                msg.subject,
                "terminated",
                {"reason": reason, "run_id": run_id, "bytes": len(msg.data)},
            )
        if run_id:
            with contextlib.suppress(Exception):
                await fail_run(
                    self.bus, run_id, self.stage, reason, code=FailureCode.MALFORMED_COMMAND
                )
        await msg.term()


def _run_id_of(data: bytes) -> str | None:
    try:
        value = json.loads(data)
    except ValueError:
        return None
    run_id = value.get("run_id") if isinstance(value, dict) else None
    return run_id if isinstance(run_id, str) and is_safe_id(run_id) else None
