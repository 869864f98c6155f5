"""Step mode from the client's side: each call (`/prep`, `/implement`, `/verify`) to the
event that ends it (`run.paused`, `run.paused`, `run.completed`), on the demo project's first
task with the scripted model (which answers at once, so IMPLEMENT's figure is our share: Aider
and the pipeline, not the model's thinking). Baseline in the same run: the same stages inside
a `single` run, from its events. Charter targets: prep ≤ 2 s, implement ≤ 30 s, verify ≤ 60 s.
"""

import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from devteam_cli.demo_project import VERIFY, create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server

SAMPLES = 5
TARGETS_S = {"prep": 2.0, "implement": 30.0, "verify": 60.0}


class Watch:
    """A run's events as they arrive, with their arrival times."""

    def __init__(self, stack: RunningStack, run_id: str) -> None:
        self.frames: list[tuple[float, dict[str, Any]]] = []
        self.arrived = asyncio.Event()
        url = stack.url.replace("http://", "ws://") + f"/v1/runs/{run_id}/events"
        self.task = asyncio.create_task(self._follow(url, stack.token))

    async def _follow(self, url: str, token: str) -> None:
        async with websockets.connect(
            url, additional_headers={"Authorization": f"Bearer {token}"}
        ) as ws:
            async for raw in ws:
                frame = json.loads(raw)
                if "event" in frame:
                    self.frames.append((time.perf_counter(), frame["event"]))
                    self.arrived.set()

    async def until(self, type_: str, after: int) -> float:
        """Arrival time of the first `type_` event past index `after`."""
        while True:
            for at, event in self.frames[after:]:
                if event["type"] == type_:
                    return at
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 120)


async def project(http: httpx.AsyncClient, model: ScriptedModelServer, repo: Path) -> str:
    body = {"name": "bench-steps", "repo_url": str(repo), "verify": VERIFY,
            "model": {"name": "openai/scripted", "api_base": model.api_base,
                      "api_key_secret": "model-key"}}  # fmt: skip
    return str((await http.post("/v1/projects", json=body)).json()["id"])


async def one_step_run(stack: RunningStack, http: httpx.AsyncClient, pid: str) -> dict[str, float]:
    base = f"/v1/projects/{pid}"
    took: dict[str, float] = {}
    t0 = time.perf_counter()
    run_id = (await http.post(f"{base}/prep", json={})).json()["run_id"]
    watch = Watch(stack, run_id)
    took["prep"] = await watch.until("run.paused", 0) - t0
    for step, ends in (("implement", "run.paused"), ("verify", "run.completed")):
        seen = len(watch.frames)
        t0 = time.perf_counter()
        answer = await http.post(f"{base}/{step}", json={"run_id": run_id})
        assert answer.status_code == 202, answer.text
        took[step] = await watch.until(ends, seen) - t0
    await watch.task
    return took


async def one_single_run(
    stack: RunningStack, http: httpx.AsyncClient, pid: str
) -> dict[str, float]:
    run_id = (await http.post(f"/v1/projects/{pid}/runs", json={"mode": "single"})).json()["run_id"]
    watch = Watch(stack, run_id)
    await watch.task
    at = {event["type"]: t for t, event in watch.frames}
    return {
        "prep": at["task.prepared"] - at["run.queued"],
        "implement": at["task.implemented"] - at["task.prepared"],
        "verify": at["task.completed"] - at["task.implemented"],
    }


async def measure(stack: RunningStack, model: ScriptedModelServer, root: Path) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {stack.token}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=headers, timeout=60) as http:
        await http.put("/v1/secrets/model-key", json={"value": "bench"})
        steps: dict[str, list[float]] = {k: [] for k in TARGETS_S}
        single: dict[str, list[float]] = {k: [] for k in TARGETS_S}
        for i in range(SAMPLES):
            for kind, into, fn in (
                ("step", steps, one_step_run),
                ("single", single, one_single_run),
            ):
                pid = await project(http, model, create_demo_repo(root / f"{kind}-{i}"))
                for name, value in (await fn(stack, http, pid)).items():
                    into[name].append(value)
    out: dict[str, Any] = {"samples": SAMPLES}
    for name, target in TARGETS_S.items():
        median = statistics.median(steps[name])
        out[f"{name}_s_median"] = round(median, 3)
        out[f"{name}_s_max"] = round(max(steps[name]), 3)
        out[f"{name}_share_of_target"] = round(median / target, 4)
        out[f"{name}_vs_in_run_ratio"] = round(median / statistics.median(single[name]), 2)
    return out


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-steps-") as tmp:
        root = Path(tmp)
        with scripted_model_server() as model, local_stack(root / "stack") as stack:
            model.set_scenario(demo_scenario())
            return asyncio.run(measure(stack, model, root))


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
