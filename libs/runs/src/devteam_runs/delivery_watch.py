"""JetStream's max-deliveries advisory fails the run a command belonged to, so a command whose
worker dies on it every time (it never gets to count its own deliveries) still ends its run.

`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.<stream>.<consumer>` names the stream sequence;
the command is read from the stream, its run failed (`gave_up`) and the message deleted. One
watcher per queue group handles each advisory; `fail_run` is idempotent anyway.
"""

import asyncio
import contextlib
import json
import logging

from nats.aio.msg import Msg

from devteam_bus.connection import Bus
from devteam_bus.publish import publish_audit
from devteam_contracts.audit import CommandGaveUp
from devteam_contracts.ids import is_safe_id
from devteam_contracts.runs import FailureCode
from devteam_contracts.subjects import STREAM_COMMANDS, SYSTEM_TENANT, parse_command_subject
from devteam_runs.transitions import fail_run

log = logging.getLogger(__name__)

ADVISORY = f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{STREAM_COMMANDS}.*"
QUEUE = "devteam-advisories"


class DeliveryWatch:
    """Fails the runs of commands that reached `max_deliver` without being settled."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until `stop`."""
        sub = await self.bus.nc.subscribe(ADVISORY, queue=QUEUE, cb=self._on_advisory)
        try:
            await stop.wait()
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _on_advisory(self, msg: Msg) -> None:
        try:
            await self.handle(json.loads(msg.data))
        except Exception:
            log.exception("could not act on a max-deliveries advisory")

    async def handle(self, advisory: dict[str, object]) -> None:
        """Fail the run of the command the advisory names, record it, delete the message."""
        seq = advisory.get("stream_seq")
        deliveries = advisory.get("deliveries")
        if not isinstance(seq, int):
            return
        try:
            stored = await self.bus.js.get_msg(STREAM_COMMANDS, seq)
        except Exception:  # settled meanwhile (e.g. the worker's own check got there first)
            return
        subject = stored.subject or ""
        try:
            body = json.loads(stored.data or b"{}")
        except ValueError:
            body = {}
        run_id = body.get("run_id") if isinstance(body, dict) else None
        whose = parse_command_subject(subject)
        tenant = whose.tenant if whose else SYSTEM_TENANT
        stage = whose.stage if whose else None
        reason = (
            f"a {stage.value if stage else 'stage'} command was delivered {deliveries} "
            "times without being settled (its worker died on it each time?); gave up"
        )
        log.error("%s: run %s, stream seq %s", reason, run_id, seq)
        if isinstance(run_id, str) and is_safe_id(run_id) and stage is not None:
            task = body.get("task") if isinstance(body.get("task"), dict) else None
            task_id = task.get("id") if task else None
            await fail_run(self.bus, run_id, stage, reason, code=FailureCode.GAVE_UP,
                           task_id=task_id if isinstance(task_id, str) else None)  # fmt: skip
        await publish_audit(
            self.bus, tenant, "service:advisories", "command.gave_up", subject, "terminated",
            CommandGaveUp(run_id=run_id if isinstance(run_id, str) else None, stream_seq=seq,
                          deliveries=deliveries),
        )  # fmt: skip
        with contextlib.suppress(Exception):
            await self.bus.js.delete_msg(STREAM_COMMANDS, seq)
