"""Runs that can no longer move are ended, never left `running` forever."""

import asyncio
import logging
from datetime import timedelta

from devteam_bus.connection import Bus
from devteam_bus.kv import now
from devteam_bus.periodic import repeat
from devteam_contracts.runs import FailureCode, RunStatus
from devteam_contracts.subjects import STREAM_COMMANDS, Stage, project_commands_filter
from devteam_runs.admission import AdmissionStore
from devteam_runs.run_store import RunStore
from devteam_runs.transitions import fail_run

log = logging.getLogger(__name__)


class StuckRuns:
    """Ends runs that can no longer move: a `running` run with no command pending or in
    flight (a stage acks only after publishing the next command, so a live run always has
    one) for longer than `after_s`, e.g. after a lost message or a purged stream. Such a run
    is failed with a reason that says what was found (it cannot be re-driven: the command's
    content went with it)."""

    def __init__(self, bus: Bus, after_s: float = 120.0, every_s: float = 30.0) -> None:
        self.bus = bus
        self.after_s = after_s
        self.every_s = every_s

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep, then wait, until `stop`."""
        await repeat(stop, self.every_s, self.sweep, "stuck-run sweep")

    async def sweep(self) -> list[str]:
        """One round; returns the ids of the runs it failed."""
        runs = RunStore(self.bus)
        cutoff = now() - timedelta(seconds=self.after_s)
        failed = []
        for entry in (await AdmissionStore(self.bus).state()).active:
            run = await runs.get(entry.run_id)
            if run is None or run.state is not RunStatus.RUNNING or run.updated_at > cutoff:
                continue
            if await self._commands_of(run.tenant, run.project_id):
                continue
            stage = run.current.stage if run.current else Stage.SELECT
            idle = (now() - run.updated_at).total_seconds()
            reason = (
                f"no {stage.value} command was pending or in flight for {idle:.0f} s "
                "(lost or purged); the run cannot go on"
            )
            await fail_run(
                self.bus, run.id, stage, reason, code=FailureCode.LOST,
                task_id=run.current.id if run.current else None,
            )  # fmt: skip
            failed.append(run.id)
        return failed

    async def _commands_of(self, tenant: str, project_id: str) -> int:
        info = await self.bus.js.stream_info(
            STREAM_COMMANDS, subjects_filter=project_commands_filter(tenant, project_id)
        )
        return sum((info.state.subjects or {}).values())
