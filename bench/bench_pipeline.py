"""The pipeline end to end on the demo project: per-stage times and event delivery latency.

Starts `devteam up` and the scripted model, runs the three-task demo project `RUNS` times and
reports medians: SELECT→prepared (PREP), Aider's wall time (IMPLEMENT), the checks (VERIFY),
COMPLETE, a whole task, how long an event takes from being published by a stage to arriving
at a WebSocket client (the charter's ≤ 500 ms), and the model's edit requests per task.
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

from devteam_cli.demo_project import VERIFY, create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server

RUNS = 3
KEY_ENV = "BENCH_MODEL_KEY"
ALLOW = {"DEVTEAM_ENV_SECRETS": f"dev:{KEY_ENV};big:{KEY_ENV};small:{KEY_ENV}"}


async def one_run(stack: RunningStack, model: ScriptedModelServer, root: Path) -> list[Any]:
    repo = create_demo_repo(root)
    headers = {"Authorization": f"Bearer {stack.token}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=headers) as http:
        body = {
            "name": "bench", "repo_url": str(repo), "verify": VERIFY,
            "model": {"name": "openai/scripted", "api_base": model.api_base,
                      "api_key_env": KEY_ENV},
        }  # fmt: skip
        project = (await http.post("/v1/projects", json=body)).json()
        run = (await http.post(f"/v1/projects/{project['id']}/runs", json={})).json()
    url = stack.url.replace("http://", "ws://") + f"/v1/runs/{run['run_id']}/events"
    frames = []
    async with websockets.connect(url, additional_headers=headers) as ws:
        async for raw in ws:
            if "event" in (frame := json.loads(raw)):  # not a heartbeat
                frames.append((time.time(), frame))
    assert frames[-1][1]["event"]["type"] == "run.completed", frames[-1]
    return frames


def stage_times(frames: list[Any]) -> dict[str, list[float]]:
    at = {}
    out: dict[str, list[float]] = {k: [] for k in ("prep", "implement", "verify", "complete",
                                                   "task", "event_latency_ms",
                                                   "edit_requests")}  # fmt: skip
    for received, frame in frames:
        event = frame["event"]
        if event["type"] == "task.implemented":
            out["edit_requests"].append(event["data"]["attempt"]["edit_requests"])
        sent = datetime.fromisoformat(event["at"]).timestamp()
        out["event_latency_ms"].append((received - sent) * 1000)
        at[(event["type"], event["task_id"])] = sent
    for task in ("1", "2", "3"):
        t = {k[0]: v for k, v in at.items() if k[1] == task}
        out["prep"].append(t["task.prepared"] - t["task.selected"])
        out["implement"].append(t["task.implemented"] - t["task.implementing"])
        out["verify"].append(t["task.verified"] - t["task.verifying"])
        out["complete"].append(t["task.completed"] - t["task.verified"])
        out["task"].append(t["task.completed"] - t["task.selected"])
    return out


def run() -> dict[str, Any]:
    """Measure; returns medians (seconds unless the key says ms)."""
    samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
        root = Path(tmp)
        with (
            scripted_model_server() as model,
            local_stack(root / "stack", {KEY_ENV: "bench", **ALLOW}) as stack,
        ):
            model.set_scenario(demo_scenario())
            for i in range(RUNS):
                frames = asyncio.run(one_run(stack, model, root / f"repo-{i}"))
                for key, values in stage_times(frames).items():
                    samples.setdefault(key, []).extend(values)
    latencies = sorted(samples["event_latency_ms"])
    return {
        "tasks": len(samples["task"]),
        "prep_ms_median": round(statistics.median(samples["prep"]) * 1000, 1),
        "implement_s_median": round(statistics.median(samples["implement"]), 2),
        "verify_s_median": round(statistics.median(samples["verify"]), 2),
        "complete_ms_median": round(statistics.median(samples["complete"]) * 1000, 1),
        "task_s_median": round(statistics.median(samples["task"]), 2),
        "event_latency_ms_median": round(statistics.median(latencies), 1),
        "event_latency_ms_p99": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "events": len(latencies),
        "edit_requests_per_task": round(statistics.mean(samples["edit_requests"]), 2),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
