"""`make bench-autonomy-local`: the corpus through three contestants on one real model running
on this machine (`local_model.py`), in one run:

* `ours`: the whole product (`devteam up`, REST, the real stack), as `make bench-autonomy`;
* `baseline`: plain Aider, `aider --message "<task text>"` with the files the task names;
* `aider_auto_test`: the same with Aider's own loop (`--auto-test --test-cmd <checks>`).

Each task's hidden tests decide. A request takes tens of seconds on 2 cores, so the whole run
takes hours: it is resumable per task and contestant (`.tools/autonomy-local/progress.jsonl`,
for this model's weights), prints progress as it goes, and writes
`bench/results/autonomy-local.json` from everything measured so far.

    python -m bench.autonomy.local [--only shop/1.1] [--contestant ours] [--fresh ours]
"""

import argparse
import asyncio
import json
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.autonomy.contestants import run_aider_alone
from bench.autonomy.corpus import CorpusRepo, CorpusTask, load_corpus
from bench.autonomy.harness import ModelSpec, run_task, write_result
from bench.autonomy.local_model import (
    ALIAS,
    GGUF_NAME,
    MODELS,
    TOOLS,
    LocalModel,
    local_model_server,
)
from devteam_cli.local_stack import local_stack
from devteam_implement.chatfiles import named_paths
from devteam_tasklist import parse

CONTESTANTS = ("ours", "baseline", "aider_auto_test")
STATE = TOOLS / "autonomy-local"
RESULT = Path(__file__).resolve().parents[1] / "results" / "autonomy-local.json"
KEY_ENV = "AUTONOMY_LOCAL_KEY"
# Every contestant's answers stop here: this model sometimes repeats itself until the context is
# full (7,000 tokens, 400 s); a whole file of the corpus is far shorter.
MAX_OUTPUT_TOKENS = 2048
# What a run measures unless told otherwise (`--all`: the whole corpus, about 10 hours here):
# the first tasks of each repository, half of them naming no file, interleaved, so that a
# run stopped early has measured some of each kind.
DEFAULT_TASKS = (
    "gradebook/G-1",
    "shop/1.1",
    "inventory/I-1",
    "textkit/1",
    "gradebook/G-2",
    "timetools/T-1",
    "inventory/I-2",
    "shop/2.1",
    "gradebook/G-3",
    "textkit/2.1",
    "inventory/I-3",
    "timetools/T-2",
)


def _parents(repo: CorpusRepo) -> dict[str, list[str]]:
    listed = parse(repo.tasks_list)
    return {t.id: [a.title for a in reversed(listed.ancestors(t.id))] for t in repo.tasks}


def _load(progress: Path, sha: str) -> dict[tuple[str, str], dict[str, Any]]:
    done: dict[tuple[str, str], dict[str, Any]] = {}
    if progress.exists():
        for line in progress.read_text().splitlines():
            record = json.loads(line)
            if record["model_sha256"] == sha:
                done[(record["contestant"], record["task"])] = record
    return done


def _summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    done = [r for r in records if r["hidden_tests_passed"]]
    first = [r for r in done if len(r.get("attempts", ["x"])) == 1]
    return {
        "tasks": len(records),
        "completed": len(done),
        "completion_rate": round(len(done) / len(records), 3) if records else None,
        "completed_first_try": len(first),
        "repairs_that_passed": sum(1 for r in done if len(r.get("attempts", [])) > 1),
        "edit_requests_per_task": round(statistics.mean(r["edit_requests"] for r in records), 2)
        if records else None,
        "tokens": sum(r["usage"]["prompt_tokens"] + r["usage"]["completion_tokens"]
                      for r in records),
        "task_s_median": round(statistics.median(r["task_s"] for r in records), 1)
        if records else None,
    }  # fmt: skip


def _result(model: LocalModel, tasks: list[CorpusTask], done: dict[Any, Any]) -> dict[str, Any]:
    # (a task names its files when it names one its solution changes)
    unnamed = [
        t for t in tasks
        if not {n.path for n in named_paths(f"{t.title}\n{t.body}")} & set(t.variants["solution"])
    ]  # fmt: skip
    measured = sum(1 for t in tasks for c in CONTESTANTS if (c, t.key) in done)
    result: dict[str, Any] = {
        "model": {
            "name": model.model,
            "gguf_sha256": model.sha256,
            "engine": "llama.cpp",
            "max_output_tokens": MAX_OUTPUT_TOKENS,
        },
        "tasks": len(tasks),
        "tasks_not_naming_files": len(unnamed),
        # a run in parts: how many of the tasks' runs (one per contestant) are measured so far
        "runs_measured": measured,
        "runs_planned": len(tasks) * len(CONTESTANTS),
    }
    for contestant in CONTESTANTS:
        records = [done[(contestant, t.key)] for t in tasks if (contestant, t.key) in done]
        result[contestant] = _summary(records)
    result["per_task"] = [
        {"task": t.key, "names_files": t not in unnamed,
         **{c: {k: done[(c, t.key)][k] for k in ("state", "hidden_tests_passed",
                                                  "edit_requests", "task_s")}
            for c in CONTESTANTS if (c, t.key) in done}}
        for t in tasks
    ]  # fmt: skip
    return result


def _pairs(args: argparse.Namespace) -> list[tuple[CorpusRepo, CorpusTask]]:
    repos = load_corpus()
    only = args.only or ([] if args.all else list(DEFAULT_TASKS))
    pairs = [(r, t) for r in repos for t in r.tasks if not only or t.key in only]
    if only:  # in the order asked for (a run in parts can interleave repositories)
        pairs.sort(key=lambda pair: only.index(pair[1].key))
    return pairs


def _report(args: argparse.Namespace) -> int:
    """Write the result from what was measured, without running anything."""
    sha = (MODELS / GGUF_NAME).with_suffix(".sha256").read_text().split()[0]
    model = LocalModel("(not running)", f"openai/{ALIAS}", sha)
    pairs = _pairs(args)
    write_result(
        args.out, _result(model, [t for _r, t in pairs], _load(STATE / "progress.jsonl", sha))
    )
    print(f"wrote {args.out}")
    return 0


async def _run(args: argparse.Namespace) -> int:
    pairs = _pairs(args)
    contestants = args.contestant or list(CONTESTANTS)
    STATE.mkdir(parents=True, exist_ok=True)
    progress = STATE / "progress.jsonl"
    with local_model_server(STATE / "llama-server.log") as model:
        done = _load(progress, model.sha256)
        for fresh in args.fresh:
            done = {k: v for k, v in done.items() if k[0] != fresh}
            lines = progress.read_text().splitlines() if progress.exists() else []
            kept = [line for line in lines if json.loads(line)["contestant"] != fresh]
            progress.write_text("".join(f"{line}\n" for line in kept))
        todo = [(c, r, t) for r, t in pairs for c in contestants if (c, t.key) not in done]
        print(f"autonomy-local: {model.model} ({model.sha256[:12]}) at {model.api_base}; "
              f"{len(todo)} of {len(pairs) * len(contestants)} runs to go", flush=True)  # fmt: skip
        spec = ModelSpec(model.model, model.api_base, KEY_ENV, request_timeout_s=900,
                         max_output_tokens=MAX_OUTPUT_TOKENS, implement_seconds=3600)  # fmt: skip
        env = {KEY_ENV: "local", "DEVTEAM_ENV_SECRETS": f"dev:{KEY_ENV}"}
        with tempfile.TemporaryDirectory(prefix="autonomy-local-") as tmp:
            root = Path(tmp)
            with local_stack(root / "stack", env, timeout_s=180) as stack:
                headers = {"Authorization": f"Bearer {stack.token}"}
                async with httpx.AsyncClient(base_url=stack.url, headers=headers,
                                             timeout=60) as http:  # fmt: skip
                    for n, (contestant, repo, task) in enumerate(todo):
                        work = root / f"{n}"
                        work.mkdir()
                        started = time.monotonic()
                        if contestant == "ours":
                            record = await run_task(http, stack, repo, task, spec,
                                                    args.repairs, work)  # fmt: skip
                        else:
                            record = await run_aider_alone(
                                repo, task, _parents(repo)[task.id], model.model,
                                model.api_base, work, contestant == "aider_auto_test",
                                MAX_OUTPUT_TOKENS,
                            )  # fmt: skip
                        record |= {"contestant": contestant, "model_sha256": model.sha256}
                        with progress.open("a") as out:
                            out.write(json.dumps(record) + "\n")
                        done[(contestant, task.key)] = record
                        print(f"  [{n + 1}/{len(todo)}] {contestant:<16} {task.key:<14} "
                              f"hidden={'pass' if record['hidden_tests_passed'] else 'FAIL'} "
                              f"requests={record['edit_requests']} "
                              f"({time.monotonic() - started:.0f} s)", flush=True)  # fmt: skip
                        write_result(args.out, _result(model, [t for _r, t in pairs], done))
        write_result(args.out, _result(model, [t for _r, t in pairs], done))
    print(f"wrote {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.autonomy.local",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--only", action="append", default=[], help="task key, e.g. shop/2.1")
    parser.add_argument("--all", action="store_true", help="the whole corpus (default: "
                        f"{len(DEFAULT_TASKS)} tasks, half naming no file)")  # fmt: skip
    parser.add_argument("--contestant", action="append", choices=CONTESTANTS, default=[])
    parser.add_argument(
        "--fresh",
        action="append",
        choices=CONTESTANTS,
        default=[],
        help="forget this contestant's results (after changing it)",
    )
    parser.add_argument("--repairs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULT)
    parser.add_argument("--report", action="store_true",
                        help="only write the result from what was measured so far")  # fmt: skip
    args = parser.parse_args(argv)
    if args.report:
        return _report(args)
    # stopped (SIGTERM, as `timeout` and `kill` do): the stack and the model server go too
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(143))
    return asyncio.run(_run(args))


if __name__ == "__main__":
    sys.exit(main())
