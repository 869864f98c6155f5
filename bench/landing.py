"""What landing as a pull request costs over pushing to the target branch, measured in the same
run: the demo project's three tasks, alternately with `land.mode` `push` and `pull_request`
(GitHub's API, on the loopback forge of tests/fakeforge), on one stack.

Reported per mode: the median COMPLETE (verified → completed: tick, commit, push, and for a
pull request the forge's calls), the first SELECT (admitted → selected: for a pull request the
forge is asked for an open one to continue), a whole task; and the forge's requests per task,
which is what a real forge's latency multiplies. The loopback forge answers in milliseconds
(it checks each request against GitHub's description); api.github.com takes far longer.
"""

import asyncio
import json
import statistics
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

from devteam_cli.demo_project import VERIFY, create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fakeforge import FakeForge  # (the tests' loopback forge)

RUNS = 3  # of each mode
KEY_ENV = "BENCH_MODEL_KEY"
TOKEN = "bench-forge-token-0123456789"  # noqa: S105 - the loopback forge's
ENV = {
    KEY_ENV: "bench",
    "DEVTEAM_ENV_SECRETS": f"dev:{KEY_ENV},BENCH_FORGE_TOKEN",
    "BENCH_FORGE_TOKEN": TOKEN,
    "DEVTEAM_GIT_ALLOWED_SCHEMES": "http,https,ssh,file",
}


async def one_run(
    stack: RunningStack, model: ScriptedModelServer, forge: FakeForge, root: Path, pr: bool
) -> dict[str, list[float]]:
    repo = create_demo_repo(root)
    headers = {"Authorization": f"Bearer {stack.token}"}
    body: dict[str, Any] = {
        "name": "bench", "repo_url": str(repo), "verify": VERIFY,
        "model": {"name": "openai/scripted", "api_base": model.api_base, "api_key_env": KEY_ENV},
    }  # fmt: skip
    if pr:
        name = f"bench/{root.name}"
        forge.add_repository(name, repo)
        body["land"] = {
            "mode": "pull_request", "forge": "github", "repository": name,
            "api_base": forge.api_base("github"), "token_env": "BENCH_FORGE_TOKEN",
        }  # fmt: skip
    async with httpx.AsyncClient(base_url=stack.url, headers=headers) as http:
        project = (await http.post("/v1/projects", json=body)).json()
        run = (await http.post(f"/v1/projects/{project['id']}/runs", json={})).json()
    url = stack.url.replace("http://", "ws://") + f"/v1/runs/{run['run_id']}/events"
    at: dict[tuple[str, str | None], float] = {}
    async with websockets.connect(url, additional_headers=headers) as ws:
        async for raw in ws:
            if "event" in (frame := json.loads(raw)):
                event = frame["event"]
                at[(event["type"], event["task_id"])] = datetime.fromisoformat(
                    event["at"]
                ).timestamp()
    assert ("run.completed", None) in at, sorted(at)
    out: dict[str, list[float]] = {"complete": [], "task": []}
    for task in ("1", "2", "3"):
        out["complete"].append(at[("task.completed", task)] - at[("task.verified", task)])
        out["task"].append(at[("task.completed", task)] - at[("task.selected", task)])
    out["first_select"] = [at[("task.selected", "1")] - at[("run.admitted", None)]]
    return out


def run() -> dict[str, Any]:
    """Measure both modes in one stack; medians in ms (`task` in s) and their ratios."""
    samples: dict[str, dict[str, list[float]]] = {"push": {}, "pull_request": {}}
    forge = FakeForge(token=TOKEN)
    with tempfile.TemporaryDirectory(prefix="bench-landing-") as tmp:
        root = Path(tmp)
        with (
            forge.serving(),
            scripted_model_server() as model,
            local_stack(root / "stack", ENV) as stack,
        ):
            model.set_scenario(demo_scenario())
            for i in range(RUNS * 2):
                mode = "pull_request" if i % 2 else "push"
                got = asyncio.run(one_run(stack, model, forge, root / f"r{i}", mode != "push"))
                for key, values in got.items():
                    samples[mode].setdefault(key, []).extend(values)
    assert forge.invalid == [], forge.invalid
    result: dict[str, Any] = {"runs_per_mode": RUNS, "tasks_per_run": 3}
    for mode, got in samples.items():
        result[mode] = {
            "complete_ms_median": round(statistics.median(got["complete"]) * 1000, 1),
            "first_select_ms_median": round(statistics.median(got["first_select"]) * 1000, 1),
            "task_s_median": round(statistics.median(got["task"]), 2),
        }
    push, pr = result["push"], result["pull_request"]
    result["complete_ratio"] = round(pr["complete_ms_median"] / push["complete_ms_median"], 2)
    result["task_ratio"] = round(pr["task_s_median"] / push["task_s_median"], 2)
    pulls = [r for r in forge.requests if r.kind == "github"]
    result["forge_requests_per_task"] = round(len(pulls) / (RUNS * 3), 2)
    result["pull_requests_opened"] = sum(r.method == "POST" for r in pulls)
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
