"""What the box costs per check and per setup command, against the sandbox it replaced, measured
in the same run, interleaved (the ratio is what to compare across machines).

* `before`: the previous box, rebuilt here as it was: bubblewrap binding `/` read-only, the
  toolchain and the worktree on top, a private /tmp, no user switch (root), checks without
  network, setup with the host's network;
* `after`: the box of `devteam_sandbox` today: explicit mounts, the tenant's user (`setpriv`),
  the tree handed to that user, a fresh HOME (`open_box`), checks without network, setup in its
  own namespace with slirp4netns and the routes of the policy.

Commands: `true` (the box alone), `python -c pass` (the toolchain's interpreter) and a one-test
`pytest` (a check). Also: handing a tree of 2,000 files to the tenant's user (the first time:
every entry changes owner; after a task: only what it changed).
"""

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from devteam_cli.settings import UpSettings
from devteam_cli.stack_config import default_toolchain
from devteam_sandbox import network
from devteam_sandbox.filesystem import toolchain_roots
from devteam_sandbox.identity import give_tree, user_for
from devteam_sandbox.process import run_process
from devteam_sandbox.sandbox import (
    bwrap_available,
    host_path,
    open_box,
    run_sandboxed,
    scrubbed_env,
)
from devteam_sandbox.settings import SandboxSettings

SAMPLES = 15
TREE_FILES = 2000
COMMANDS = {
    "true": "true",
    "python": "python -c pass",
    "pytest": "python -m pytest -q -p no:cacheprovider test_one.py",
}


def before_argv(
    command: str, worktree: Path, home: Path, net: bool, settings: SandboxSettings
) -> list[str]:
    """The previous bubblewrap box (until this change), for the baseline."""
    tools: list[str] = []
    for prefix in sorted({sys.prefix, sys.base_prefix, *toolchain_roots(settings)}):
        tools += ["--ro-bind", prefix, prefix]
    return [
        shutil.which("bwrap") or "bwrap",
        "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
        *tools,
        "--bind", str(worktree), str(worktree), "--bind", str(home), str(home),
        *([] if net else ["--unshare-net"]),
        "--unshare-pid", "--die-with-parent", "--chdir", str(worktree),
        "--", "/bin/sh", "-c", command,
    ]  # fmt: skip


async def _before(
    command: str, tree: Path, home: Path, net: bool, settings: SandboxSettings
) -> float:
    started = time.perf_counter()
    result = await run_process(
        before_argv(command, tree, home, net, settings), cwd=tree,
        env=scrubbed_env(home, host_path(settings)), timeout_s=120, nice=settings.work_nice,
    )  # fmt: skip
    assert result.ok, result.output_tail
    return time.perf_counter() - started


async def _after(
    command: str, tree: Path, scratch: Path, net: bool, settings: SandboxSettings
) -> float:
    started = time.perf_counter()  # the box's making (HOME, handing the tree over) counts
    async with open_box(scratch, "bench", tree, settings=settings) as box:
        result = await run_sandboxed(command, box=box, timeout_s=120, network=net)
    assert result.ok, result.output_tail
    return time.perf_counter() - started


def _stats(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples) * 1000, 1),
        "p90_ms": round(sorted(samples)[int(len(samples) * 0.9) - 1] * 1000, 1),
    }


async def measure(settings: SandboxSettings) -> dict[str, Any]:
    out: dict[str, Any] = {"samples": SAMPLES,
                           "user_switch": user_for("bench", settings) is not None,
                           "setup_network": network.describe()}  # fmt: skip
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        root = Path(tmp)
        tree = root / "tree"
        tree.mkdir()
        (tree / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
        home = root / "home"
        home.mkdir()
        for kind, net in (("check", False), ("setup", True)):
            for name, command in COMMANDS.items():
                before: list[float] = []
                after: list[float] = []
                for _ in range(SAMPLES):  # interleaved: the machine's noise hits both alike
                    before.append(await _before(command, tree, home, net, settings))
                    after.append(await _after(command, tree, root / "boxes", net, settings))
                b, a = _stats(before), _stats(after)
                out[f"{kind}_{name}"] = {
                    "before": b,
                    "after": a,
                    "added_ms": round(a["median_ms"] - b["median_ms"], 1),
                    "ratio": round(a["median_ms"] / b["median_ms"], 2),
                }
        out["give_tree"] = _give_tree(root, settings)
    return out


def _give_tree(root: Path, settings: SandboxSettings) -> dict[str, Any]:
    user = user_for("bench", settings)
    if user is None:
        return {"skipped": "not root: trees are not handed over"}
    tree = root / "big"
    for i in range(TREE_FILES):
        path = tree / f"pkg{i % 40}" / f"mod_{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    os.chown(tree, 0, 0)
    started = time.perf_counter()
    first = give_tree(tree, user)
    first_s = time.perf_counter() - started
    for i in range(0, TREE_FILES, 100):  # a task rewrote 20 files (as root: our checkout)
        path = tree / f"pkg{i % 40}" / f"mod_{i}.py"
        path.unlink()
        path.write_text("x = 2\n")
    started = time.perf_counter()
    again = give_tree(tree, user)
    again_s = time.perf_counter() - started
    return {
        "files": TREE_FILES,
        "first_ms": round(first_s * 1000, 1),
        "first_changed": first,
        "after_a_task_ms": round(again_s * 1000, 1),
        "after_a_task_changed": again,
    }


def run() -> dict[str, Any]:
    """The benchmark (needs bubblewrap)."""
    if not bwrap_available():
        return {"skipped": "bubblewrap is not installed"}
    settings = SandboxSettings()  # the operator's, as a verify worker would have them
    toolchain = default_toolchain(UpSettings())  # the lean toolchain `devteam up` gives the checks
    if toolchain and not settings.toolchain:
        settings = SandboxSettings(toolchain=toolchain)
    return asyncio.run(measure(settings))


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
