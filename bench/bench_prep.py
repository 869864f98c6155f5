"""PREP on a warm mirror vs a fresh `git clone`, on a generated repository of 2,000 files and
200 commits, measured in the same run (the ratio is what to compare across machines).

* cold prep: first time for a project: create the mirror, fetch, add the working tree;
* warm prep: what PREP does for each next task: check the base is in the mirror, check out
  the task branch at the base in the project's reused tree, clean it. Before each sample the
  previous "task" leaves work behind (changed, new and ignored files, a commit), as real tasks do;
* clone: `git clone file://…` of the same repository (what a naive runner does per task);
* bundle round trip: how a task's commits reach the next stage, which has its own data
  directory (stages share nothing but NATS): implement bundles `base..head` (a task-sized
  change), puts it in the object store of a real nats-server; verify gets it, imports it into
  its own warm mirror and checks the head out in its own tree.
"""

import asyncio
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from devteam_bus.bundles import BundleStore
from devteam_bus.connection import connect
from devteam_bus.provision import provision
from devteam_bus.settings import BusSettings
from devteam_cli.nats_server import NatsNode, free_port, start_nats, stop_process
from devteam_git.run import git
from devteam_git.workspace import Workspace, commit_all, handover_ref

FILES = 2000
COMMITS = 200
SAMPLES = 15


def make_repo(root: Path) -> Path:
    """A bare repository with FILES files in 40 directories and COMMITS commits (fast-import)."""
    stream = []
    mark = 0
    for n in range(COMMITS):
        mark += 1
        stream.append(f"commit refs/heads/main\nmark :{mark}\n")
        stream.append(f"committer Bench <b@x> {1_700_000_000 + n} +0000\n")
        message = f"commit {n}"
        stream.append(f"data {len(message)}\n{message}\n")
        if n:
            stream.append(f"from :{mark - 1}\n")
        touched = range(FILES) if n == 0 else range(n * 10 % FILES, n * 10 % FILES + 10)
        for i in touched:
            body = f"# file {i}, version {n}\n" + "x = 1\n" * 40
            data = body.encode()
            stream.append(f"M 100644 inline pkg{i % 40}/mod_{i}.py\ndata {len(data)}\n{body}\n")
    tasks = "- [ ] 1 Do it\n"
    stream.append(
        f"commit refs/heads/main\nmark :{mark + 1}\ncommitter Bench <b@x> 1800000000 +0000\n"
        f"data 5\ntasks\nfrom :{mark}\nM 100644 inline tasks_list.md\ndata {len(tasks)}\n{tasks}\n"
    )
    bare = root / "repo.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=bare, input="".join(stream).encode(), check=True
    )
    subprocess.run(["git", "gc", "-q"], cwd=bare, check=True)
    return bare


async def timed(coro: Any) -> float:
    started = time.perf_counter()
    await coro
    return (time.perf_counter() - started) * 1000


async def measure(root: Path, bare: Path) -> dict[str, Any]:
    ws = Workspace(root / "data", "bench", "prj-bench", f"file://{bare}")

    async def cold() -> str:
        base = await ws.sync("main")
        await ws.prepare("run-0", "0", base)
        return base

    started = time.perf_counter()
    base = await cold()
    cold_ms = (time.perf_counter() - started) * 1000

    warm: list[float] = []
    steps: dict[str, list[float]] = {"has_commit": [], "checkout": [], "clean": []}
    for i in range(1, SAMPLES + 1):
        # The previous task's leftovers: a commit, edits, untracked and ignored files.
        tree = ws.tree
        (tree / "pkg1" / "mod_1.py").write_text("changed\n")
        (tree / f"new_{i}.py").write_text("new\n")
        await commit_all(tree, f"task {i - 1}")
        (tree / "pkg2" / "mod_2.py").write_text("dirty\n")
        (tree / "scratch").mkdir(exist_ok=True)
        (tree / "scratch" / "out.log").write_text("x" * 1000)
        await ws.finish(f"run-{i - 1}", str(i - 1))
        started = time.perf_counter()
        assert await ws.has_commit(base)
        await ws.prepare(f"run-{i}", str(i), base)
        warm.append((time.perf_counter() - started) * 1000)
        # The same steps once more, one by one, to say where the time goes.
        steps["has_commit"].append(await timed(ws.has_commit(base)))
        steps["checkout"].append(
            await timed(git(["checkout", "-q", "-f", "-B", f"devteam/x/{i}", base], tree))
        )
        steps["clean"].append(await timed(git(["clean", "-qffdx"], tree)))

    clone: list[float] = []
    for i in range(SAMPLES):
        dest = root / f"clone-{i}"
        started = time.perf_counter()
        await git(["clone", "--quiet", f"file://{bare}", str(dest)])
        clone.append((time.perf_counter() - started) * 1000)
        shutil.rmtree(dest)

    bundle = await bundle_round_trip(root, bare, base)
    warm_ms = statistics.median(warm)
    clone_ms = statistics.median(clone)
    return {
        "files": FILES,
        "commits": COMMITS,
        "samples": SAMPLES,
        "warm_prep_ms_median": round(warm_ms, 1),
        "warm_prep_ms_max": round(max(warm), 1),
        "cold_prep_ms": round(cold_ms, 1),
        "clone_ms_median": round(clone_ms, 1),
        "speedup": round(clone_ms / warm_ms, 2),
        "where_the_time_goes_ms_median": {
            name: round(statistics.median(values), 1) for name, values in steps.items()
        },
        **bundle,
    }


async def bundle_round_trip(root: Path, bare: Path, base: str) -> dict[str, Any]:
    """Median time from implement's commit to verify's tree at that commit, through NATS."""
    port = free_port()
    nats = start_nats(NatsNode(root / "nats", port), root / "nats.log")
    try:
        settings = BusSettings(nats_url=f"nats://127.0.0.1:{port}")
        bus = await connect(settings, "bench-prep")
        await provision(bus, settings)
        store = BundleStore(bus)
        maker = Workspace(root / "implement", "bench", "prj-bench", f"file://{bare}")
        taker = Workspace(root / "verify", "bench", "prj-bench", f"file://{bare}")
        await maker.sync("main")
        await taker.sync("main")
        await taker.prepare("run-w", "0", base)  # both warm, as after the first task
        total: list[float] = []
        parts: dict[str, list[float]] = {"bundle": [], "put": [], "get": [], "import": []}
        size = 0
        for i in range(1, SAMPLES + 1):
            run, task = f"run-b{i}", "1"
            tree = await maker.prepare(run, task, base)
            (tree / "pkg3" / "mod_3.py").write_text(f"changed {i}\n")
            (tree / f"feature_{i}.py").write_text("def f():\n    return 1\n")
            tip = await commit_all(tree, f"task {i}")
            started = time.perf_counter()
            data = await maker.bundle(run, task, 1, base, tip)
            t1 = time.perf_counter()
            await store.put(run, task, 1, tip, data)
            t2 = time.perf_counter()

            async def fetch(run: str = run, task: str = task, tip: str = tip) -> bytes | None:
                return await store.get(run, task, 1, tip)

            got = await fetch()
            t3 = time.perf_counter()

            async def source(got: bytes | None = got) -> bytes | None:
                return got

            await taker.ensure_commit(
                tip, base=base, branches=["main"], handover=(handover_ref(run, task, 1), source)
            )
            await taker.prepare(run, task, tip)
            t4 = time.perf_counter()
            size = len(data)
            for name, (a, b) in {"bundle": (started, t1), "put": (t1, t2), "get": (t2, t3),
                                 "import": (t3, t4)}.items():  # fmt: skip
                parts[name].append((b - a) * 1000)
            total.append((t4 - started) * 1000)
            await store.drop_run(run)
        await bus.close()
    finally:
        stop_process(nats)
    return {
        "bundle_round_trip_ms_median": round(statistics.median(total), 1),
        "bundle_bytes": size,
        "bundle_round_trip_parts_ms_median": {
            name: round(statistics.median(values), 1) for name, values in parts.items()
        },
    }


def run() -> dict[str, Any]:
    """Build the repository, measure, clean up."""
    with tempfile.TemporaryDirectory(prefix="bench-prep-") as tmp:
        root = Path(tmp)
        bare = make_repo(root)
        return asyncio.run(measure(root, bare))


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
