"""Load: many customers at once on one `devteam up` with its defaults, on this machine.

* Ratio (same stack, same run): 4 projects started at once against 1 project alone.
* Load: 20 projects of 5 tasks in two tenants (`big` with 16 projects, `small` with 4; the big
  tenant's runs are started first). The scripted model answers every request after 2 s.

Every run must complete, and no event may be lost or duplicated: the events each client
received live over its WebSocket are checked against a full replay of the run's stream, and
the replay against itself (one milestone per task, attempt and type). Reported: tasks per
minute, how long commands waited for a worker per stage (p50/p99, from the events' `queue_ms`),
event latency (published → received by the client), and how long the small tenant's first run
waited for its first task to be selected.
"""

import asyncio
import json
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

from devteam_bus.connection import connect
from devteam_cli.demo_project import create_repo
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server
from devteam_tenants.tokens import TokenStore, new_token

KEY_ENV = "BENCH_MODEL_KEY"
ALLOW = {"DEVTEAM_ENV_SECRETS": f"dev:{KEY_ENV};big:{KEY_ENV};small:{KEY_ENV}"}
TASKS = 5
ANSWER_S = 2.0
BIG, SMALL = ("big", 16), ("small", 4)
VERIFY = ["python -m pytest -q -p no:cacheprovider"]
STAGE_EVENTS = ("select", "prep", "implement", "verify", "complete")


def tasks_list() -> str:
    lines = ["# Notes", ""]
    lines += [f"- [ ] {n} Write `notes/task_{n}.md` with one line about task {n}"
              for n in range(1, TASKS + 1)]  # fmt: skip
    return "\n".join(lines) + "\n"


def make_repo(root: Path, name: str) -> Path:
    files = {
        "tasks_list.md": tasks_list(),
        "notes/README.md": "Notes, one file per task.\n",
        "tests/test_notes.py": (
            "from pathlib import Path\n\n\ndef test_every_note_has_text():\n"
            "    for note in Path('notes').glob('task_*.md'):\n"
            "        assert note.read_text().strip()\n"
        ),
    }
    return create_repo(root, files, name, "Notes project")


def scenario() -> dict[str, Any]:
    rules: list[dict[str, Any]] = [
        {
            "name": f"task-{n}",
            "when": f"Implement task {n}:",
            "reply": f"notes/task_{n}.md\n```\nTask {n} is done.\n```\n",
            "delay_s": ANSWER_S,
        }
        for n in range(1, TASKS + 1)
    ]
    rules.append(
        {"name": "commit", "kind": "commit_message", "reply": "docs: add a note",
         "delay_s": ANSWER_S}
    )  # fmt: skip
    return {"rules": rules}


class Watched:
    """One run: started, watched live, then checked against a replay of its stream."""

    def __init__(self, tenant: str, token: str, run_id: str, posted: float) -> None:
        self.tenant, self.token, self.run_id, self.posted = tenant, token, run_id, posted
        self.live: list[tuple[float, dict[str, Any]]] = []
        self.connected = 0.0

    def url(self, stack: RunningStack, after: int = 0) -> str:
        return (
            stack.url.replace("http://", "ws://") + f"/v1/runs/{self.run_id}/events?after={after}"
        )

    async def watch(self, stack: RunningStack) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with websockets.connect(self.url(stack), additional_headers=headers) as ws:
            self.connected = time.time()
            async for raw in ws:
                if "event" in (frame := json.loads(raw)):  # not a heartbeat
                    self.live.append((time.time(), frame))

    async def replay(self, stack: RunningStack) -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with websockets.connect(self.url(stack), additional_headers=headers) as ws:
            return [f async for raw in ws if "event" in (f := json.loads(raw))]

    def events(self) -> list[dict[str, Any]]:
        return [frame["event"] for _t, frame in self.live]


async def start_run(
    http: httpx.AsyncClient, tenant: str, token: str, repo: Path, model: ScriptedModelServer
) -> Watched:
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "name": repo.stem, "repo_url": str(repo), "verify": VERIFY,
        "model": {"name": "openai/scripted", "api_base": model.api_base, "api_key_env": KEY_ENV},
    }  # fmt: skip
    project = await http.post("/v1/projects", json=body, headers=headers)
    project.raise_for_status()
    posted = time.time()
    started = await http.post(f"/v1/projects/{project.json()['id']}/runs", json={},
                              headers=headers)  # fmt: skip
    started.raise_for_status()
    return Watched(tenant, token, started.json()["run_id"], posted)


async def run_all(
    stack: RunningStack, model: ScriptedModelServer, plan: list[tuple[str, str, Path]]
) -> tuple[list[Watched], float]:
    """Start every (tenant, token, repo) of `plan` at once, in order; wait for all to end."""
    async with httpx.AsyncClient(base_url=stack.url, timeout=60) as http:
        began = time.time()
        watched = []
        for tenant, token, repo in plan:
            watched.append(await start_run(http, tenant, token, repo, model))
        await asyncio.gather(*(w.watch(stack) for w in watched))
        return watched, time.time() - began


def at(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(event["at"]).timestamp()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))], 1) if ordered else 0.0


async def check(stack: RunningStack, watched: list[Watched]) -> dict[str, Any]:
    lost = duplicate = 0
    incomplete = []
    for w in watched:
        replay = await w.replay(stack)
        live = [frame["seq"] for _t, frame in w.live]
        lost += len({f["seq"] for f in replay} - set(live))
        duplicate += len(live) - len(set(live))
        milestones = Counter(
            (f["event"]["type"], f["event"]["task_id"], f["event"]["attempt"])
            for f in replay
            if f["event"]["type"] != "log"
        )
        duplicate += sum(n - 1 for n in milestones.values())
        if not replay or replay[-1]["event"]["type"] != "run.completed":
            incomplete.append((w.run_id, replay[-1]["event"]["message"] if replay else "none"))
    return {"lost": lost, "duplicate": duplicate, "incomplete": incomplete}


def measures(watched: list[Watched]) -> dict[str, Any]:
    waits: dict[str, list[float]] = {s: [] for s in STAGE_EVENTS}
    seen: set[tuple[Any, ...]] = set()
    latency: list[float] = []
    for w in watched:
        for received, frame in w.live:
            event = frame["event"]
            if at(event) > w.connected:  # published while the client was connected: live
                latency.append((received - at(event)) * 1000)
            key = (w.run_id, event["stage"], event["task_id"], event["attempt"])
            if event.get("queue_ms") is not None and event["stage"] and key not in seen:
                seen.add(key)
                waits[event["stage"]].append(event["queue_ms"])
    return {
        "queue_wait_ms": {
            s: {"p50": pct(v, 0.5), "p99": pct(v, 0.99), "n": len(v)} for s, v in waits.items()
        },
        "event_latency_ms_p99": pct(latency, 0.99),
        "event_latency_ms_p50": pct(latency, 0.5),
        "live_events": len(latency),
    }


def first_selected_s(w: Watched) -> float:
    return next(at(e) for e in w.events() if e["type"] == "task.selected") - w.posted


async def scenario_run(root: Path) -> dict[str, Any]:
    with (
        scripted_model_server() as model,
        local_stack(root / "stack", {KEY_ENV: "bench", **ALLOW}) as stack,
    ):
        model.set_scenario(scenario())
        bus = await connect(stack.bus_settings(), "bench")
        tokens = {"dev": stack.token}
        for tenant, _n in (BIG, SMALL):
            tokens[tenant] = new_token()
            await TokenStore(bus).add(tokens[tenant], tenant)
        await bus.close()
        repos = iter(make_repo(root / "repos", f"p{i}") for i in range(1000))

        # Warm-up (the Aider host's first fork, first mirrors), not measured.
        await run_all(stack, model, [("dev", stack.token, next(repos))])
        _alone, one_s = await run_all(stack, model, [("dev", stack.token, next(repos))])
        four, four_s = await run_all(
            stack, model, [("dev", stack.token, next(repos)) for _ in range(4)]
        )
        ratio_check = await check(stack, four)

        plan = [(BIG[0], tokens[BIG[0]], next(repos)) for _ in range(BIG[1])]
        plan += [(SMALL[0], tokens[SMALL[0]], next(repos)) for _ in range(SMALL[1])]
        watched, load_s = await run_all(stack, model, plan)
        checked = await check(stack, watched)
        requests = model.requests()
    completed = [w for w in watched if w.events() and w.events()[-1]["type"] == "run.completed"]
    tasks = sum(sum(1 for e in w.events() if e["type"] == "task.completed") for w in watched)
    small = [w for w in watched if w.tenant == SMALL[0]]
    first_small = min(small, key=lambda w: w.posted)
    return {
        "projects": len(plan),
        "tasks_per_project": TASKS,
        "tasks": tasks,
        "tenants": {BIG[0]: BIG[1], SMALL[0]: SMALL[1]},
        "model_answer_s": ANSWER_S,
        "completed_runs": len(completed),
        "incomplete_runs": checked["incomplete"] + ratio_check["incomplete"],
        "load_s": round(load_s, 1),
        "tasks_per_min": round(tasks / load_s * 60, 1),
        "lost_events": checked["lost"] + ratio_check["lost"],
        "duplicate_events": checked["duplicate"] + ratio_check["duplicate"],
        **measures(watched),
        "small_tenant_first_start_s": round(first_selected_s(first_small), 2),
        "small_tenant_first_start_s_max": round(max(first_selected_s(w) for w in small), 2),
        "one_project_alone_s": round(one_s, 1),
        "four_projects_at_once_s": round(four_s, 1),
        "four_vs_one_ratio": round(four_s / one_s, 2),
        # every phase: warm-up, alone, four at once (6 projects) and the load
        "edit_requests_per_task": round(
            sum(1 for r in requests if r["kind"] == "edit") / (tasks + 6 * TASKS), 2
        ),
    }


def run() -> dict[str, Any]:
    """Measure on a fresh stack; returns the figures for `bench/results/load.json`."""
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        return asyncio.run(scenario_run(Path(tmp)))


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
