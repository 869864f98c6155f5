"""Runs the corpus through the whole product and measures autonomous completion.

For every task: a bare repository made for it (see `corpus.py`), registered over REST with
`verify` = the repository's tests and `protected = ["tests/**"]`, one `single` run through
`devteam up` and real Aider, followed on the WebSocket to its end. A completed task is then
judged by its hidden tests, run in the sandbox on a clone of the target branch: tests the
product never saw, so a change that games the visible tests is caught.
"""

import asyncio
import json
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.autonomy.check import HIDDEN_DIR, write_tree
from bench.autonomy.corpus import TASKS_FILE, CorpusRepo, CorpusTask
from devteam_cli.demo_project import create_repo
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_git.run import git
from devteam_sandbox.sandbox import open_box, run_sandboxed
from devteam_sandbox.settings import SandboxSettings

VERIFY = "python -m pytest -q -p no:cacheprovider"
RUN_TIMEOUT_S = 1800


@dataclass(frozen=True)
class ModelSpec:
    """The model every task's project is registered with."""

    name: str
    api_base: str
    api_key_env: str
    edit_format: str | None = None
    input_usd_per_mtok: float | None = None
    output_usd_per_mtok: float | None = None
    request_timeout_s: float | None = None
    max_output_tokens: int | None = None
    implement_seconds: int | None = None  # the project's limit (a slow local model needs more)

    def body(self) -> dict[str, Any]:
        """The project's `model` object."""
        spec: dict[str, Any] = {
            "name": self.name, "api_base": self.api_base, "api_key_env": self.api_key_env,
            "edit_format": self.edit_format, "input_usd_per_mtok": self.input_usd_per_mtok,
            "output_usd_per_mtok": self.output_usd_per_mtok,
            "request_timeout_s": self.request_timeout_s,
            "max_output_tokens": self.max_output_tokens,
        }  # fmt: skip
        return {k: v for k, v in spec.items() if v is not None}


async def _follow(stack: RunningStack, run_id: str) -> None:
    url = stack.url.replace("http://", "ws://") + f"/v1/runs/{run_id}/events"
    headers = {"Authorization": f"Bearer {stack.token}"}
    async with websockets.connect(url, additional_headers=headers, open_timeout=30) as ws:
        async for _frame in ws:  # the gateway closes after the run's terminal event
            pass


async def _hidden_tests_pass(repo: Path, task: CorpusTask, work: Path) -> bool:
    clone = work / "hidden-check"
    await git(["clone", "-q", "--branch", "main", str(repo), str(clone)])
    write_tree(clone, {f"{HIDDEN_DIR}/{name}": text for name, text in task.hidden.items()})
    settings = SandboxSettings()  # this machine's sandbox, as its verify worker has it
    async with open_box(work / "hidden-boxes", "autonomy", clone, settings=settings) as box:
        result = await run_sandboxed(f"{VERIFY} {HIDDEN_DIR}", box=box, timeout_s=300)
    return result.ok


async def run_task(
    http: httpx.AsyncClient, stack: RunningStack, repo: CorpusRepo, task: CorpusTask,
    model: ModelSpec, repair_attempts: int, work: Path,
) -> dict[str, Any]:  # fmt: skip
    """One task through the product; its outcome, attempts, usage and hidden-test verdict."""
    bare = create_repo(work, repo.files_for(task), "repo", f"{repo.name}: before {task.id}")
    body = {
        "name": f"autonomy {task.key}", "repo_url": str(bare), "target_branch": "main",
        "tasks_file": TASKS_FILE, "verify": [VERIFY], "protected": ["tests/**"],
        "model": model.body(), "limits": {"repair_attempts": repair_attempts},
    }  # fmt: skip
    if model.implement_seconds:
        body["limits"]["implement_seconds"] = model.implement_seconds
    created = await http.post("/v1/projects", json=body)
    created.raise_for_status()
    started = await http.post(f"/v1/projects/{created.json()['id']}/runs",
                              json={"mode": "single"})  # fmt: skip
    started.raise_for_status()
    run_id = started.json()["run_id"]
    await asyncio.wait_for(_follow(stack, run_id), RUN_TIMEOUT_S)
    run = (await http.get(f"/v1/runs/{run_id}")).json()
    completed = run["state"] == "completed"
    seconds = (
        datetime.fromisoformat(run["updated_at"]) - datetime.fromisoformat(run["created_at"])
    ).total_seconds()
    failure = run.get("failure") or {}
    return {
        "task": task.key,
        "state": run["state"],
        "code": "completed" if completed else failure.get("code", run["state"]),
        "reason": failure.get("reason"),
        "attempts": [a["code"] for a in run["attempts"]],
        "chat": [a.get("chat", []) for a in run["attempts"]],
        "files": [a["files"] for a in run["attempts"]],  # what each attempt changed
        "edit_requests": sum(a["edit_requests"] for a in run["attempts"]),
        "hidden_tests_passed": completed and await _hidden_tests_pass(bare, task, work),
        "usage": run["usage"],
        "task_s": round(seconds, 2),
    }


def summarise(model: ModelSpec, outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    """The harness result (`bench/results/autonomy.json`)."""
    done = [o for o in outcomes if o["state"] == "completed"]
    failed = Counter(o["code"] for o in outcomes if o["state"] != "completed")
    costs = [o["usage"]["cost_usd"] for o in outcomes if o["usage"]["cost_usd"] is not None]
    return {
        "model": model.name,
        "api_base": model.api_base,
        "tasks": len(outcomes),
        "completed": len(done),
        "completed_first_try": sum(1 for o in done if len(o["attempts"]) == 1),
        "repairs": sum(max(0, len(o["attempts"]) - 1) for o in outcomes),
        "failed_by_reason": dict(sorted(failed.items())),
        "completion_rate": round(len(done) / len(outcomes), 3) if outcomes else 0.0,
        "hidden_tests_passed": sum(1 for o in done if o["hidden_tests_passed"]),
        "prompt_tokens": sum(o["usage"]["prompt_tokens"] for o in outcomes),
        "completion_tokens": sum(o["usage"]["completion_tokens"] for o in outcomes),
        "cost_usd": round(sum(costs), 6) if costs else None,
        "task_s_median": round(statistics.median(o["task_s"] for o in outcomes), 3)
        if outcomes
        else 0,
        "edit_requests_per_done_task": (
            round(statistics.mean(o["edit_requests"] for o in done), 2) if done else None
        ),
        # Per attempt of a done task: 1.0 when every attempt's first answer was its edit.
        "edit_requests_per_attempt": (
            round(sum(o["edit_requests"] for o in done) / sum(len(o["attempts"]) for o in done), 2)
            if done
            else None
        ),
        "per_task": outcomes,
    }


async def run_corpus(
    repos: list[CorpusRepo], model: ModelSpec, repair_attempts: int, env: dict[str, str],
    progress: Any = print,
) -> list[dict[str, Any]]:  # fmt: skip
    """Every task of `repos`, one after another, on one `devteam up`."""
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="autonomy-") as tmp:
        root = Path(tmp)
        # the key's variable, allow-listed for the stack's tenant
        env = {**env, "DEVTEAM_ENV_SECRETS": f"dev:{model.api_key_env}"}
        with local_stack(root / "stack", env, timeout_s=180) as stack:
            headers = {"Authorization": f"Bearer {stack.token}"}
            async with httpx.AsyncClient(base_url=stack.url, headers=headers, timeout=60) as http:
                for n, (repo, task) in enumerate(
                    (r, t) for r in repos for t in r.tasks
                ):  # fmt: skip
                    work = root / f"task-{n}"
                    work.mkdir()
                    started = time.monotonic()
                    outcome = await run_task(http, stack, repo, task, model, repair_attempts, work)
                    outcomes.append(outcome)
                    progress(
                        f"  {task.key:<16} {outcome['code']:<18} attempts={outcome['attempts']}"
                        f" hidden={'pass' if outcome['hidden_tests_passed'] else '-'}"
                        f" ({time.monotonic() - started:.1f} s)"
                    )
    return outcomes


def write_result(path: Path, result: dict[str, Any]) -> None:
    """Write the result file (pretty JSON, one trailing newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
