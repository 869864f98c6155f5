"""Event delivery to WebSocket clients under load: 20 runs at once and 50 clients spread over
the run, project and tenant streams; for each event published while the client was connected,
publication (`event.at`, stamped by the stage just before it publishes) to receipt.
Baseline in the same run: a plain NATS subscriber on every event subject (raw delivery, no
JetStream consumer, no gateway): it hears each event when it is published, the gateway only
once it is stored (fsynced: `sync_interval: always`) and republished. The clients run in
this one process, on the same two cores as the 20 runs: the figures include their own event
loop's delays (the baseline's too). The bench learns that the runs ended from their streams
(each closes after its terminal event), so it adds no REST polling to the gateway's load.
The gateway's `devteam_event_feed_lag_seconds` histogram splits the delay: publication → the
gateway's one event feed (JetStream delivery), the rest is the feed → the sockets → the
clients. Target: p99 ≤ 25 ms to the WebSocket clients.
"""

import asyncio
import json
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets
from prometheus_client.parser import text_string_to_metric_families

from devteam_bus.connection import connect
from devteam_cli.demo_project import VERIFY, create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import scripted_model_server

RUNS = 20
TENANT_CLIENTS = 10  # + one client per run and one per project: 50 in all
RUNS_TIMEOUT_S = 600
ENV = {"DEVTEAM_MAX_ACTIVE_RUNS": "32", "DEVTEAM_TENANT_MAX_ACTIVE_RUNS": "32"}


def latency_ms(event: dict[str, Any], received: float) -> float:
    return (received - datetime.fromisoformat(event["at"]).timestamp()) * 1000


async def client(url: str, token: str, into: list[float], done: asyncio.Event) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with websockets.connect(url, additional_headers=headers, max_queue=None) as ws:
        # Only events published after the socket opened were delivered live; older ones
        # (a run's first events, replayed to a client that joined after them) are not counted.
        opened = time.time()
        while not done.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 1)
            except TimeoutError:
                continue
            except websockets.ConnectionClosed:
                return
            received = time.time()
            frame = json.loads(raw)
            if (
                "event" in frame
                and datetime.fromisoformat(frame["event"]["at"]).timestamp() > opened
            ):
                into.append(latency_ms(frame["event"], received))


def histogram(metrics_text: str, name: str) -> dict[str, Any]:
    """One of the gateway's histograms, summarised from its buckets (so p50/p99 are bounds)."""
    buckets: list[tuple[float, float]] = []
    for family in text_string_to_metric_families(metrics_text):
        if family.name == name:
            buckets = [(float(s.labels["le"]), s.value) for s in family.samples
                       if s.name.endswith("_bucket")]  # fmt: skip
    count = buckets[-1][1] if buckets else 0
    p50 = next((le for le, n in buckets if n >= count * 0.5), None)
    p99 = next((le for le, n in buckets if n >= count * 0.99), None)
    within = next((n for le, n in buckets if le == 0.025), 0)
    return {
        "observed": int(count),
        "p50_ms_at_most": p50 * 1000 if p50 is not None else None,
        "p99_ms_at_most": p99 * 1000 if p99 is not None else None,
        "share_within_25_ms": round(within / count, 3) if count else None,
    }


def summary(values: list[float]) -> dict[str, Any]:
    return {"frames": len(values), "p50_ms": pct(values, 0.5), "p99_ms": pct(values, 0.99)}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2)


async def measure(stack: RunningStack, api_base: str, root: Path) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {stack.token}"}
    ws = stack.url.replace("http://", "ws://")
    raw: list[float] = []
    per_kind: dict[str, list[float]] = {"run": [], "project": [], "tenant": []}
    done = asyncio.Event()
    nc = (await connect(stack.bus_settings(), "bench-raw")).nc  # as the stack's operator

    async def on_raw(msg: Any) -> None:
        raw.append(latency_ms(json.loads(msg.data), time.time()))

    await nc.subscribe("devteam.evt.>", cb=on_raw)
    async with httpx.AsyncClient(base_url=stack.url, headers=headers, timeout=60) as http:
        await http.put("/v1/secrets/model-key", json={"value": "bench"})
        pids = []
        for i in range(RUNS):
            repo = str(create_demo_repo(root / f"r{i}"))
            model = {"name": "openai/scripted", "api_base": api_base, "api_key_secret": "model-key"}
            body = {
                "name": f"bench-streams-{i}",
                "repo_url": repo,
                "verify": VERIFY,
                "model": model,
            }
            pids.append((await http.post("/v1/projects", json=body)).json()["id"])

        def watch(path: str, kind: str) -> asyncio.Task[None]:
            return asyncio.create_task(client(f"{ws}{path}", stack.token, per_kind[kind], done))

        clients = [watch("/v1/events", "tenant") for _ in range(TENANT_CLIENTS)]
        clients += [watch(f"/v1/projects/{pid}/events", "project") for pid in pids]
        await asyncio.sleep(1)  # every client connected
        started = time.monotonic()
        run_ids = [(await http.post(f"/v1/projects/{pid}/runs", json={})).json()["run_id"]
                   for pid in pids]  # fmt: skip
        followers = [watch(f"/v1/runs/{rid}/events", "run") for rid in run_ids]
        # A run's stream closes after its terminal event: the end is heard, not polled for.
        await asyncio.wait_for(asyncio.gather(*followers), RUNS_TIMEOUT_S)
        elapsed = time.monotonic() - started
        clients += followers
        states = [(await http.get(f"/v1/runs/{r}")).json()["state"] for r in run_ids]
        await asyncio.sleep(1)
        done.set()
        await asyncio.gather(*clients)
        scraped = (await http.get(stack.metrics_url)).text
    await nc.close()
    every = [v for values in per_kind.values() for v in values]
    out: dict[str, Any] = {
        "runs": RUNS,
        "clients": TENANT_CLIENTS + 2 * RUNS,
        "runs_completed": states.count("completed"),
        "seconds": round(elapsed, 1),
        "raw_nats": summary(raw),
        "websocket": summary(every),
        "by_stream": {kind: summary(values) for kind, values in per_kind.items()},
        # publication → the gateway's feed (JetStream, and the gateway's loop, before sockets)
        "gateway_feed_lag": histogram(scraped, "devteam_event_feed_lag_seconds"),
        # how late the gateway's loop ran a 50 ms timer: its own stalls, felt by every frame
        "gateway_loop_lag": histogram(scraped, "devteam_gateway_loop_lag_seconds"),
        "target_p99_ms": 25,
    }
    out["websocket_vs_raw_p50_ratio"] = round(
        statistics.median(every) / max(statistics.median(raw), 0.01), 2
    )
    return out


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-streams-") as tmp:
        root = Path(tmp)
        with scripted_model_server() as model, local_stack(root / "stack", ENV) as stack:
            scenario = demo_scenario()
            for rule in scenario["rules"]:
                rule["delay_s"] = 0.5
            model.set_scenario(scenario)
            return asyncio.run(measure(stack, model.api_base, root))


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
