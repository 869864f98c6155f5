"""Project environments: what verify costs when a project's environment is built once per
dependency state and reused, against the project's suite alone in a ready venv, measured in
the same run.

The offline ledger of the tests (tests/fixture_projects.py: a runtime dependency, a pytest
plugin, its wheels in the repository) through six tasks on `devteam up` with one verify
worker, its setup and checks detected (no `.devteam.toml`); task 3 adds a dependency, so the
run has two dependency states. For each task, from its events: the environment's seconds
(built: the venv and `pip install`; reused: the key and the view) plus the checks' seconds.
The bare suite is the same code's `python -m pytest` (the task's landed commit) in a venv made
beforehand, no box, run right after the product's run on the same machine.
"""

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from devteam_cli.demo_project import create_repo
from devteam_cli.local_stack import RunningStack, local_stack
from devteam_scripted_model.launcher import ScriptedModelServer, scripted_model_server

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))  # the fixture projects
from fixture_projects import (
    FORMAT_CODE,
    FORMAT_TEST,
    LEDGER_TASKS,
    OFFLINE_REQUIREMENTS,
    PARSE_CODE,
    PARSE_TEST,
    PYTEST_INI,
    ROUND_CODE,
    ROUND_TEST,
    ledger_wheels,
    scripted_tasks,
)

BARE_SAMPLES = 5
ROUND_REQUIREMENTS = OFFLINE_REQUIREMENTS + "ledgerround==1.0.0\n"
MORE = [  # (task, title, function, test)
    ("4", "Add amounts", "def add_amounts(*cents):\n    return sum(cents)\n",
     "from ledger.money import add_amounts\n\n\ndef test_add():\n"
     "    assert add_amounts(1, 2) == 3\n"),
    ("5", "Negate amounts", "def negate(cents):\n    return -cents\n",
     "from ledger.money import negate\n\n\ndef test_negate():\n    assert negate(5) == -5\n"),
    ("6", "Percentages", "def percent(cents, rate):\n    return cents * rate // 100\n",
     "from ledger.money import percent\n\n\ndef test_percent():\n"
     "    assert percent(1000, 15) == 150\n"),
]  # fmt: skip


def _repo(root: Path) -> Path:
    tasks = LEDGER_TASKS + "".join(
        f"- [ ] {task} {title}\n  Add `{code.split('(')[0][4:]}` to `ledger/money.py`.\n"
        for task, title, code, _test in MORE
    )
    files = {
        "ledger/__init__.py": "",
        "ledger/money.py": '"""Money amounts of the ledger, in cents."""\n',
        "tests/test_package.py": "import ledger\n\n\ndef test_imports():\n    assert ledger\n",
        "requirements.txt": OFFLINE_REQUIREMENTS,
        "pytest.ini": PYTEST_INI,
        ".gitignore": "__pycache__/\n",
        "tasks_list.md": tasks,
    }
    ledger_wheels(root / "wheels")
    wheels = {f"wheels/{w.name}": w.read_bytes() for w in (root / "wheels").glob("*.whl")}
    return create_repo(root, files, "ledger", "Ledger", binary=wheels)


def _scenario() -> dict[str, Any]:
    money = "ledger/money.py"
    replies = {
        "1": {money: FORMAT_CODE, "tests/test_format.py": FORMAT_TEST,
              "requirements.txt": OFFLINE_REQUIREMENTS},
        "2": {money: PARSE_CODE, "tests/test_parse.py": PARSE_TEST},
        "3": {money: ROUND_CODE, "tests/test_round.py": ROUND_TEST,
              "requirements.txt": ROUND_REQUIREMENTS},
    }  # fmt: skip
    code = ROUND_CODE
    for task, _title, function, test in MORE:
        code += "\n\n" + function
        replies[task] = {money: code, f"tests/test_{task}.py": test}
    return scripted_tasks(replies)


async def _run(stack: RunningStack, model: ScriptedModelServer, repo: Path) -> list[Any]:
    model.set_scenario(_scenario())
    auth = {"Authorization": f"Bearer {stack.token}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=auth, timeout=30) as api:
        body = {"name": "ledger", "repo_url": str(repo),
                "model": {"name": "openai/scripted", "api_base": model.api_base}}  # fmt: skip
        project = (await api.post("/v1/projects", json=body)).json()
        run_id = (await api.post(f"/v1/projects/{project['id']}/runs", json={})).json()["run_id"]
        for _ in range(1200):
            run = (await api.get(f"/v1/runs/{run_id}")).json()
            if run["state"] in ("completed", "failed"):
                break
            await asyncio.sleep(0.5)
        assert run["state"] == "completed", run["failure"]
        page = await api.get(f"/v1/runs/{run_id}/events", params={"limit": 1000})
    events = [f["event"] for f in page.json()["frames"]]
    landed = {t["id"]: t["commit"] for t in run["tasks_done"]}
    verifying = {e["task_id"]: e["data"] for e in events if e["type"] == "task.verifying"}
    verified = {e["task_id"]: e["data"] for e in events if e["type"] == "task.verified"}
    return [
        {
            "task": task,
            "environment": verifying[task]["environment"]["status"],
            "key": verifying[task]["environment"]["key"],
            "environment_s": verifying[task]["environment"]["seconds"],
            "checks_s": verified[task]["duration_s"],
            "verify_s": round(
                verifying[task]["environment"]["seconds"] + verified[task]["duration_s"], 3
            ),
            "landed": landed[task],  # the head verified, with its tick
        }
        for task in verified
    ]


def _bare(repo: Path, root: Path, tasks: list[dict[str, Any]]) -> dict[str, float]:
    """The suite alone, per task's head, in a venv of that head's requirements (made first)."""
    clone = root / "bare"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    venvs: dict[str, Path] = {}
    bare = {}
    for task in tasks:
        subprocess.run(["git", "checkout", "-q", task["landed"]], cwd=clone, check=True)
        venv = venvs.get(task["key"])
        if venv is None:
            venv = venvs[task["key"]] = root / f"venv-{len(venvs)}"
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin/pip"), "install", "-q", "--isolated", "-r",
                            "requirements.txt", "pytest"], cwd=clone, check=True)  # fmt: skip
        samples = []
        for _ in range(BARE_SAMPLES):
            started = time.perf_counter()
            done = subprocess.run([str(venv / "bin/python"), "-m", "pytest"], cwd=clone,
                                  capture_output=True)  # fmt: skip
            assert done.returncode == 0, done.stdout
            samples.append(time.perf_counter() - started)
        bare[task["task"]] = statistics.median(samples)
    return bare


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-env-", dir="/var/tmp") as tmp:
        root = Path(tmp)
        repo = _repo(root)
        with scripted_model_server() as model, local_stack(root / "stack") as stack:
            tasks = asyncio.run(_run(stack, model, repo))
        bare = _bare(repo, root, tasks)
    for task in tasks:
        task["bare_suite_s"] = round(bare[task["task"]], 3)
    warm = [t for t in tasks if t["environment"] == "reused"]
    cold = [t for t in tasks if t["environment"] == "built"]
    warm_s = statistics.median(t["verify_s"] for t in warm)
    bare_s = statistics.median(t["bare_suite_s"] for t in warm)
    return {
        "project": "ledger (tests/fixture_projects.py): 6 tasks, requirements changed by task 3",
        "tasks": len(tasks),
        "cold_verify_s": cold[0]["verify_s"],
        "warm_verify_s": round(warm_s, 3),
        "bare_suite_s": round(bare_s, 3),
        "warm_vs_bare_ratio": round(warm_s / bare_s, 2),
        "cold_vs_warm_ratio": round(cold[0]["verify_s"] / warm_s, 1),
        "setup_runs": len(cold),
        "dependency_states": len({t["key"] for t in tasks}),
        "per_task": tasks,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
