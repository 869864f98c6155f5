"""`make demo`: start the whole topology locally and take the demo project through it.

Everything is real (NATS, the five services, git, Aider, pytest) except the model: Aider talks
to the project's scripted model server, which answers from a scenario file. To use a real
model, store its key with `PUT /v1/secrets/{name}` and register a project with `model.name`,
`model.api_base` and `model.api_key_secret` (see README), as this demo does with a dummy key.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import websockets

from devteam_cli.demo_project import VERIFY, create_demo_repo, demo_scenario
from devteam_cli.local_stack import local_stack
from devteam_scripted_model.launcher import scripted_model_server


def banner(text: str) -> None:
    """A visible section header."""
    print(f"\n\033[1m== {text}\033[0m", flush=True)


def describe(frame: dict[str, object]) -> str:
    """One terminal line for an event frame."""
    event = frame["event"]
    assert isinstance(event, dict)
    task = f" [{event['task_id']}]" if event.get("task_id") else ""
    return f"  #{frame['seq']:<4} {event['type']:<18}{task} {event.get('message', '')}"


async def follow(url: str, token: str, run_id: str) -> None:
    """Print the run's events from the WebSocket until the run ends."""
    ws_url = url.replace("http://", "ws://") + f"/v1/runs/{run_id}/events"
    async with websockets.connect(
        ws_url, additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        async for raw in ws:
            frame = json.loads(raw)
            if "event" not in frame:  # a heartbeat
                continue
            if frame["event"]["type"] == "log":
                for line in frame["event"]["data"]["lines"][-3:]:
                    print(f"        | {line[:110]}", flush=True)
            else:
                print(describe(frame), flush=True)


def main() -> int:
    """Run the demo; exit 0 when the run completed."""
    started = time.monotonic()
    root = Path(os.environ.get("DEVTEAM_DEMO_DIR", "demo-data")).resolve()
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    banner("DevTeam Runner demo: a SCRIPTED model stands in for the LLM (offline, repeatable)")
    print("  Aider, git, NATS, the five services and pytest are real; only the model's answers")
    print("  come from a scenario file (devteam_cli/demo_project.py).")
    repo = create_demo_repo(root)
    print(f"  customer repository: {repo}")
    scenario = root / "scenario.json"
    scenario.write_text(json.dumps(demo_scenario(), indent=2))
    with (
        scripted_model_server(scenario, root / "model-requests.jsonl") as model,
        local_stack(root / "stack") as stack,
    ):
        banner(f"devteam up: gateway {stack.url} (logs in {stack.data_dir / 'logs'})")
        headers = {"Authorization": f"Bearer {stack.token}"}
        with httpx.Client(base_url=stack.url, headers=headers, timeout=30) as http:
            # The model key lives in the tenant's secret store; the project names it.
            http.put("/v1/secrets/model-key", json={"value": "demo-key"}).raise_for_status()
            project = http.post(
                "/v1/projects",
                json={
                    "name": "calc demo",
                    "repo_url": str(repo),
                    "target_branch": "main",
                    "tasks_file": "tasks_list.md",
                    "verify": VERIFY,
                    "model": {
                        "name": "openai/scripted-demo",
                        "api_base": model.api_base,
                        "api_key_secret": "model-key",
                    },
                },
            )
            project.raise_for_status()
            project_id = project.json()["id"]
            run = http.post(f"/v1/projects/{project_id}/runs", json={"mode": "continuous"})
            run.raise_for_status()
            run_id = run.json()["run_id"]
            banner(f"project {project_id}, run {run_id}: live events from the WebSocket")
            asyncio.run(follow(stack.url, stack.token, run_id))
            state = http.get(f"/v1/runs/{run_id}").json()
        banner(f"run {state['state']}: {len(state['tasks_done'])} task(s) done")
        if state.get("failure"):
            print(json.dumps(state["failure"], indent=2))
        for attempt in state["attempts"]:
            used = attempt["usage"]
            print(
                f"  task {attempt['task_id']} attempt {attempt['attempt']}: {attempt['code']}"
                f" in {attempt['duration_s']} s on the Aider {attempt['runner']},"
                f" {attempt['edit_requests']} edit request(s),"
                f" {used['prompt_tokens']} + {used['completion_tokens']} tokens"
            )
        usage = state["usage"]
        print(f"  run total: {usage['prompt_tokens']} prompt + {usage['completion_tokens']}"
              f" completion tokens in {usage['requests']} model request(s)")  # fmt: skip
        banner("tasks_list.md on main in the customer repository")
        show = ["git", "--git-dir", str(repo), "show", "main:tasks_list.md"]
        print(subprocess.run(show, capture_output=True, text=True, check=True).stdout)
        banner("commits on main")
        log = ["git", "--git-dir", str(repo), "log", "--format=%h %s  (%an)", "main"]
        print(subprocess.run(log, capture_output=True, text=True, check=True).stdout)
    print(f"demo finished in {time.monotonic() - started:.0f} s", flush=True)
    return 0 if state["state"] == "completed" else 1


if __name__ == "__main__":
    sys.exit(main())
