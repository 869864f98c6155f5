"""Verify commands in a sandbox: scrubbed environment, and bubblewrap when it is installed.

With bwrap the command sees the whole file system read-only except its worktree and a private
/tmp, has no network and its own PID namespace. Without bwrap (e.g. inside a container that
already isolates it) it runs with the scrubbed environment and limits only.
"""

import asyncio
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from devteam_sandbox.limits import CheckLimits, PidsCgroup
from devteam_sandbox.process import LineSink, ProcessResult, run_process

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def toolchain_path() -> str:
    """PATH for verify commands: the toolchain this worker is installed with, then the system.

    The verify worker's image (or venv) is the build toolchain, as on a CI runner; the
    customer's environment variables and our own secrets are not passed on.
    """
    return f"{Path(sys.executable).parent}:{SYSTEM_PATH}"


def scrubbed_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment: no inherited variables (no API keys, tokens or NATS URLs)."""
    env = {
        "PATH": toolchain_path(),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",  # noqa: S108 - a private tmpfs inside bwrap
        "CI": "true",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if extra:
        env.update(extra)
    return env


def bwrap_available() -> bool:
    """True when bubblewrap is installed and usable here."""
    return shutil.which("bwrap") is not None and os.environ.get("DEVTEAM_NO_BWRAP") != "1"


def sandbox_argv(
    command: str,
    worktree: Path,
    home: Path,
    use_bwrap: bool,
    toolchain: Sequence[str] = (sys.prefix, sys.base_prefix),
    network: bool = False,
) -> list[str]:
    """argv running `command` with /bin/sh in the worktree, inside bwrap when asked."""
    shell = ["/bin/sh", "-c", command]
    if not use_bwrap:
        return shell
    bwrap = shutil.which("bwrap") or "bwrap"
    # The toolchain may itself live under /tmp (a CI checkout): show it again, read-only, on
    # top of the private /tmp.
    tools: list[str] = []
    for prefix in sorted(set(toolchain)):
        tools += ["--ro-bind", prefix, prefix]
    return [
        bwrap,
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--tmpfs", "/tmp",  # noqa: S108 - private, empty
        *tools,
        "--bind", str(worktree), str(worktree),
        "--bind", str(home), str(home),
        *([] if network else ["--unshare-net"]),
        "--unshare-pid",
        "--die-with-parent",
        "--new-session",
        "--chdir", str(worktree),
        "--",
        *shell,
    ]  # fmt: skip


async def run_sandboxed(
    command: str,
    *,
    worktree: Path,
    home: Path,
    timeout_s: float,
    on_line: LineSink | None = None,
    network: bool = False,
    limits: CheckLimits | None = None,
) -> ProcessResult:
    """Run one verify command in the worktree, sandboxed as far as this machine allows, under
    `limits`.

    `network=True` is for setup commands (installing dependencies); checks get none.
    """
    await asyncio.to_thread(home.mkdir, parents=True, exist_ok=True)
    argv = sandbox_argv(command, worktree, home, bwrap_available(), network=network)
    return await run_process(
        argv, cwd=worktree, env=scrubbed_env(home), timeout_s=timeout_s, on_line=on_line,
        limits=limits,
    )  # fmt: skip


def describe(limits: CheckLimits) -> dict[str, object]:
    """What isolation the checks get here, as reported with the run: never more than holds."""
    bwrap = bwrap_available()
    processes_bind = os.geteuid() != 0 or PidsCgroup.available()
    return {
        "backend": "bwrap" if bwrap else "none",
        "network": "none" if bwrap else "host (not isolated)",
        "filesystem": "read-only outside the worktree" if bwrap else "not isolated",
        "limits": limits.describe(),
        "processes_limited": processes_bind,
    }
