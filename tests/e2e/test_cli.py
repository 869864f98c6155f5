"""The operator CLI straight on NATS: `devteam status`, `projects list`, `runs
list|show|cancel|resume`, `events replay|tail` and `audit tail`, as tables and as JSON."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from devteam_cli.demo_project import demo_scenario
from devteam_cli.local_stack import RunningStack
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import at_model, events, project_body
from support import eventually

pytestmark = pytest.mark.e2e
EXE = str(Path(sys.executable).parent / "devteam")


def devteam(stack: RunningStack, *args: str) -> str:
    env = {**os.environ, **stack.cli_env()}
    done = subprocess.run([EXE, *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def follow(stack: RunningStack, *args: str) -> subprocess.Popen[str]:
    """Start a `tail`, and wait until it says it is following."""
    env = {**os.environ, **stack.cli_env()}
    proc = subprocess.Popen([EXE, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stderr is not None
    assert proc.stderr.readline().startswith("following "), "the tail did not start"
    return proc


def lines(out: str) -> list[Any]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


async def test_status_lists_every_replica_and_the_consumers(stack: RunningStack) -> None:
    report = json.loads(devteam(stack, "status", "--json"))
    processes = {s["process"] for s in report["services"]}
    assert {"gateway-1", "implement-1", "implement-2", "verify-2", "selector-1"} <= processes
    implement = next(s for s in report["services"] if s["process"] == "implement-1")
    assert implement["load"]["implement"]["concurrency"] >= 1 and implement["version"]
    streams = {s["stream"]: s for s in report["streams"]}
    assert {c["name"] for c in streams["DEVTEAM_CMD"]["consumers"]} >= {
        "devteam-select", "devteam-prep", "devteam-implement", "devteam-verify",
        "devteam-complete"}  # fmt: skip
    table = devteam(stack, "status")
    assert "PROCESS" in table and "implement-2" in table and "PENDING" in table


async def test_runs_and_events_from_the_command_line(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    # The model takes its time: the operator cancels the run from the command line.
    model.set_scenario({"rules": [{**demo_scenario()["rules"][0], "delay_s": 30, "times": 1}]})
    project = (await api.post("/v1/projects", json=project_body(repo, model))).json()
    started = await api.post(f"/v1/projects/{project['id']}/runs", json={"mode": "single"})
    run_id = started.json()["run_id"]
    await eventually(lambda: at_model(model, "task-1"), timeout_s=60, what="Aider at work")
    cancelled = json.loads(devteam(stack, "runs", "cancel", run_id, "--json"))
    assert cancelled["state"] == "cancelled"
    frames = await events(stack, run_id)

    listed = lines(devteam(stack, "projects", "list", "--tenant", "dev", "--json"))
    assert project["id"] in {p["id"] for p in listed}
    runs = lines(devteam(stack, "runs", "list", "--project", project["id"], "--json"))
    assert [(r["id"], r["state"]) for r in runs] == [(run_id, "cancelled")]
    assert "cancelled" in devteam(stack, "runs", "show", run_id)

    replayed = lines(devteam(stack, "events", "replay", "--run", run_id, "--since", "1",
                             "--logs", "--json"))  # fmt: skip
    assert replayed == frames
    since = frames[5]["seq"]
    later = lines(devteam(stack, "events", "replay", "--run", run_id, "--since", str(since),
                          "--json"))  # fmt: skip
    expected = [f["seq"] for f in frames if f["seq"] >= since and f["event"]["type"] != "log"]
    assert [f["seq"] for f in later] == expected
    by_time = devteam(stack, "events", "replay", "--project", project["id"], "--since",
                      frames[0]["event"]["at"])  # fmt: skip
    assert "run.cancelled" in by_time and "task.selected" in by_time

    model.set_scenario(demo_scenario())
    resumed = json.loads(devteam(stack, "runs", "resume", run_id, "--json"))
    assert resumed["resumed_from"] == run_id
    await events(stack, resumed["id"])
    assert json.loads(devteam(stack, "runs", "show", resumed["id"], "--json"))["state"] == (
        "completed"
    )


async def test_events_and_audit_tail_follow_live(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, repo: Path
) -> None:
    tails = [follow(stack, "events", "tail", "--tenant", "dev", "--json"),
             follow(stack, "audit", "tail", "--tenant", "dev")]  # fmt: skip
    model.set_scenario(demo_scenario())
    project = (await api.post("/v1/projects", json=project_body(repo, model))).json()
    run_id = (await api.post(f"/v1/projects/{project['id']}/runs",
                             json={"mode": "single"})).json()["run_id"]  # fmt: skip
    await events(stack, run_id)
    await asyncio.sleep(0.5)
    for tail in tails:
        tail.terminate()
    event_lines = lines(tails[0].communicate(timeout=10)[0])
    audit_text = tails[1].communicate(timeout=10)[0]
    mine = [f["event"]["type"] for f in event_lines if f["event"]["run_id"] == run_id]
    assert mine[0] == "run.queued" and mine[-1] == "run.completed"
    assert f"project.create {project['id']}" in audit_text and f"run.start {run_id}" in audit_text


async def test_the_operator_sets_and_reads_a_tenants_budget(stack: RunningStack) -> None:
    shown = devteam(stack, "budget", "--tenant", "cli-budget", "--monthly-tokens", "500")
    assert "monthly budget: tokens 500, cost no limit" in shown
    assert ": 0 tokens, cost unknown, 0 requests" in shown
    again = devteam(stack, "budget", "--tenant", "cli-budget", "--monthly-cost-usd", "2.5")
    assert "monthly budget: tokens 500, cost $2.5" in again  # one value set, the other kept
    lifted = devteam(stack, "budget", "--tenant", "cli-budget", "--monthly-tokens", "0")
    assert "monthly budget: tokens no limit, cost $2.5" in lifted
