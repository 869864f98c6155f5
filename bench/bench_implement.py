"""IMPLEMENT's own cost per attempt: the Aider host (one fork of a pre-imported process) against
the Aider CLI (a fresh interpreter that imports Aider), measured in the same run.

Each attempt is the product's own (`devteam_implement.attempt.run_attempt`: chat files, the
driver, accounting, judging) on the demo project's tasks, against the scripted model answering
at once. Overhead = the attempt's wall time minus the time the model server spent answering
(it reports that per request). Host and CLI attempts alternate, so machine noise hits both.
"""

import asyncio
import json
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devteam_aider import AiderHost
from devteam_cli.demo_project import FILES, demo_scenario
from devteam_contracts.commands import ImplementCommand, TaskRef
from devteam_contracts.projects import Project
from devteam_contracts.repoconfig import RunConfig
from devteam_implement.attempt import prepare_tree, run_attempt
from devteam_implement.settings import ImplementSettings
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server
from devteam_tasklist import parse

ATTEMPTS = 10
AIDER_PYTHON = Path(".tools/aider/bin/python").absolute()


def _git(tree: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=tree, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def _tree(root: Path) -> Path:
    tree = root / "tree"
    for name, text in FILES.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)
    _git(tree, "init", "-q", "-b", "main")
    _git(tree, "config", "user.name", "Bench")
    _git(tree, "config", "user.email", "bench@example.invalid")
    _git(tree, "add", "-A")
    _git(tree, "commit", "-q", "-m", "initial")
    return tree


def _tasks() -> list[TaskRef]:
    leaves = parse(FILES["tasks_list.md"]).leaves()
    return [TaskRef(id=t.id, title=t.title, body=t.body) for t in leaves]


async def _attempt(
    model: ScriptedModelServer, tree: Path, base: str, task: TaskRef, host: AiderHost | None,
    state: Path,
) -> dict[str, float]:  # fmt: skip
    _git(tree, "reset", "-q", "--hard", base)
    project = Project.model_validate(
        {"id": "prj-bench", "tenant": "bench", "name": "bench", "repo_url": "/nowhere",
         "created_at": datetime.now(UTC),
         "model": {"name": "openai/scripted", "api_base": model.api_base}}
    )  # fmt: skip
    cmd = ImplementCommand(run_id="run-bench", tenant="bench", project_id="prj-bench", task=task,
                           config=RunConfig(), base_sha=base)  # fmt: skip
    settings = ImplementSettings(aider_python=AIDER_PYTHON)
    model.clear_requests()
    started = time.perf_counter()
    files = await prepare_tree(tree, cmd)
    result = await run_attempt(cmd, project, tree, files, settings, state, host, "bench-key")
    wall = time.perf_counter() - started
    record = result.record
    assert record.code.value == "changed", (record, result.output_tail)
    assert record.runner == ("host" if host else "cli"), record
    answered = sum(r["answer_s"] or 0.0 for r in model.requests())
    return {"wall": wall, "model": answered, "overhead": wall - answered,
            "edit_requests": record.edit_requests}  # fmt: skip


async def _measure(root: Path) -> dict[str, Any]:
    samples: dict[str, list[dict[str, float]]] = {"host": [], "cli": []}
    with scripted_model_server() as model:
        model.set_scenario(demo_scenario())
        host = AiderHost(AIDER_PYTHON, root / "host-home")
        started = time.perf_counter()
        await host.wait_ready(600)
        startup = time.perf_counter() - started
        try:
            tree = _tree(root)
            base = _git(tree, "rev-parse", "HEAD")
            tasks = _tasks()
            for n in range(ATTEMPTS):
                task = tasks[n % len(tasks)]
                for runner in ("host", "cli") if n % 2 == 0 else ("cli", "host"):
                    chosen = host if runner == "host" else None
                    sample = await _attempt(model, tree, base, task, chosen, root / "state")
                    samples[runner].append(sample)
        finally:
            await host.close()

    def median(runner: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[runner])

    host_overhead, cli_overhead = median("host", "overhead"), median("cli", "overhead")
    every = samples["host"] + samples["cli"]
    return {
        "attempts": ATTEMPTS,
        "host_overhead_s_median": round(host_overhead, 3),
        "cli_overhead_s_median": round(cli_overhead, 3),
        "speedup": round(cli_overhead / host_overhead, 1),
        "edit_requests_per_task": round(statistics.mean(s["edit_requests"] for s in every), 2),
        "host_wall_s_median": round(median("host", "wall"), 3),
        "cli_wall_s_median": round(median("cli", "wall"), 3),
        "model_s_median": round(median("host", "model"), 4),
        "host_startup_s": round(startup, 1),
    }


def run() -> dict[str, Any]:
    """Measure; returns medians in seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-implement-") as tmp:
        return asyncio.run(_measure(Path(tmp)))


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
