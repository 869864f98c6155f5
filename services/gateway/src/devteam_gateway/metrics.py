"""`/metrics` in Prometheus format.

Kept live in the background: runs by state (a watch on the runs bucket), events published and
stage durations (observed by the gateway's event feed, `devteam_gateway.feed`). Read when
scraped: each stage's queue depth and ack-pending (JetStream consumer info) and each tenant's
model usage (the usage bucket). Every gateway sees the whole system, so any one of them can
be scraped.

They name every tenant with its usage, so they are served on an operator-only listener of
their own (`DEVTEAM_GATEWAY_METRICS_HOST`/`_PORT`, loopback by default), never on the public
API port.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from nats.js.errors import NotFoundError
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from pydantic import ValidationError

from devteam_bus.connection import Bus
from devteam_bus.kv import keys_of, value_of
from devteam_contracts.events import (
    Event,
    TaskAttemptFailed,
    TaskImplemented,
    TaskPrepared,
    TaskVerified,
)
from devteam_contracts.runs import RunState, RunStatus
from devteam_contracts.subjects import (
    BUCKET_RUNS,
    BUCKET_USAGE,
    STREAM_COMMANDS,
    Stage,
    durable_name,
)
from devteam_contracts.usage import TenantUsage

log = logging.getLogger(__name__)

RUNS = Gauge("devteam_runs", "Runs by state (every tenant).", ["state"])
EVENTS = Counter("devteam_events_total", "Run events published, by type.", ["type"])
STAGE_SECONDS = Histogram(
    "devteam_stage_seconds",
    "How long a stage's work on a task took (prep, implement attempts, verify).",
    ["stage"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
)
FEED_LAG = Histogram(
    "devteam_event_feed_lag_seconds",
    "From an event's publication (its `at`, the publisher's clock) to this gateway's feed.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
)
LOOP_LAG = Histogram(
    "devteam_gateway_loop_lag_seconds",
    "How late the gateway's event loop ran a timer due every 50 ms (what every socket waits).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
)
PENDING = Gauge("devteam_stage_pending", "Commands waiting for a worker, by stage.", ["stage"])
ACK_PENDING = Gauge(
    "devteam_stage_ack_pending", "Commands a worker holds, not yet settled, by stage.", ["stage"]
)
REDELIVERED = Gauge(
    "devteam_stage_redelivered", "Commands delivered more than once, by stage.", ["stage"]
)
WS_CLIENTS = Gauge("devteam_websocket_clients", "Open event WebSockets on this gateway.")
WS_SLOW_CLOSED = Counter(
    "devteam_websocket_slow_closed_total", "Event WebSockets closed (1013) for falling behind."
)
TOKENS = Gauge("devteam_model_tokens", "Model tokens used, by tenant.", ["tenant", "kind"])
COST = Gauge("devteam_model_cost_usd", "Model cost reported or priced, by tenant.", ["tenant"])
REQUESTS = Gauge("devteam_model_requests", "Model requests made, by tenant.", ["tenant"])


def observe(event: Event) -> None:
    """Count the event; observe the duration it reports, if any."""
    EVENTS.labels(event.type.value).inc()
    match event:
        case TaskPrepared(data=data):
            STAGE_SECONDS.labels("prep").observe(data.duration_ms / 1000)
        case TaskImplemented(data=data) | TaskAttemptFailed(data=data):
            STAGE_SECONDS.labels("implement").observe(data.attempt.duration_s)
        case TaskVerified(data=data):
            STAGE_SECONDS.labels("verify").observe(data.duration_s)


async def watch_loop(every_s: float = 0.05) -> None:
    """Observe how late the event loop wakes up: a busy loop delays every frame it sends."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + every_s
        await asyncio.sleep(every_s)
        LOOP_LAG.observe(max(0.0, loop.time() - due))


async def watch_runs(bus: Bus) -> None:
    """Keep `devteam_runs{state}` current from the runs bucket (re-read after a break)."""
    while True:
        states: dict[str, RunStatus] = {}
        try:
            kv = await bus.js.key_value(BUCKET_RUNS)
            watcher = await kv.watchall()
            async for entry in watcher:
                if entry is None or not entry.key.startswith("run-"):
                    continue
                if entry.value:
                    try:
                        states[entry.key] = RunState.model_validate_json(entry.value).state
                    except ValidationError:
                        continue
                else:
                    states.pop(entry.key, None)
                for status in RunStatus:
                    RUNS.labels(status.value).set(sum(1 for s in states.values() if s is status))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("watching the runs bucket failed (%s); retrying", exc)
        await asyncio.sleep(1)


async def refresh(bus: Bus) -> None:
    """What is read at scrape time: consumers' queues and tenants' usage."""
    for stage in Stage:
        try:
            info = await bus.js.consumer_info(STREAM_COMMANDS, durable_name(stage))
        except NotFoundError:  # no worker of this stage has started yet
            continue
        PENDING.labels(stage.value).set(info.num_pending or 0)
        ACK_PENDING.labels(stage.value).set(info.num_ack_pending or 0)
        REDELIVERED.labels(stage.value).set(info.num_redelivered or 0)
    kv = await bus.js.key_value(BUCKET_USAGE)
    for tenant in await keys_of(kv):
        value = await value_of(kv, tenant)
        if not value:
            continue
        total = TenantUsage.model_validate_json(value).total
        TOKENS.labels(tenant, "prompt").set(total.prompt_tokens)
        TOKENS.labels(tenant, "completion").set(total.completion_tokens)
        COST.labels(tenant).set(total.cost_usd or 0)
        REQUESTS.labels(tenant).set(total.requests)


def operator_app(bus: Bus) -> FastAPI:
    """The operator listener's app: `/metrics` and nothing else."""
    app = FastAPI(title="DevTeam Runner operator metrics", docs_url=None, redoc_url=None,
                  openapi_url=None)  # fmt: skip

    @app.get("/metrics", response_class=Response)
    async def metrics(_request: Request) -> Response:
        """Prometheus metrics (text exposition format)."""
        await refresh(bus)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


class _Listener(uvicorn.Server):
    """A second server in the gateway's loop: the gateway's own server handles the signals
    and stops this one on its way out."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


@contextlib.asynccontextmanager
async def operator_listener(bus: Bus, host: str, port: int) -> AsyncIterator[None]:
    """Serve `/metrics` on `host:port` while inside (port 0: not at all)."""
    if not port:
        yield
        return
    config = uvicorn.Config(operator_app(bus), host=host, port=port, lifespan="off",
                            log_level="warning", access_log=False)  # fmt: skip
    server = _Listener(config)
    serving = asyncio.create_task(server.serve())
    while not server.started and not serving.done():  # noqa: ASYNC110 - uvicorn has a flag only
        await asyncio.sleep(0.01)
    if serving.done():
        serving.result()  # (it could not listen: say why)
        raise RuntimeError(f"the metrics listener on {host}:{port} did not start")
    try:
        yield
    finally:
        server.should_exit = True
        await serving
