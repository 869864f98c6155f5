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

from devteam_sandbox.docker_backend import choose_image, run_in_container
from devteam_sandbox.limits import CheckLimits, PidsCgroup
from devteam_sandbox.process import LineSink, ProcessResult, run_process

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
BACKEND_VAR = "DEVTEAM_SANDBOX"
# Inside a toolchain container: its own PATH, and a private HOME (tmpfs).
CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CONTAINER_HOME = "/home/check"


TOOLCHAIN_VAR = "DEVTEAM_TOOLCHAIN"


def toolchain_path() -> str:
    """PATH for verify commands: the build toolchain, then the system.

    The toolchain is `$DEVTEAM_TOOLCHAIN` (a directory of executables: `devteam up` points it
    at the checkout's lean `.tools/toolchain/bin`), else the directory of the interpreter this
    worker runs on (in the verify image, its venv with pytest), as on a CI runner; the
    customer's environment variables and our own secrets are not passed on.
    """
    toolchain = os.environ.get(TOOLCHAIN_VAR) or str(Path(sys.executable).parent)
    return f"{toolchain}:{SYSTEM_PATH}"


def toolchain_roots() -> tuple[str, ...]:
    """The trees the toolchain lives in: this interpreter's (venv and base) and, when
    `$DEVTEAM_TOOLCHAIN` is set, the one its directory is in (a venv's root)."""
    configured = os.environ.get(TOOLCHAIN_VAR)
    extra = (str(Path(configured).resolve().parent),) if configured else ()
    return (sys.prefix, sys.base_prefix, *extra)


def scrubbed_env(
    home: Path, extra: Mapping[str, str] | None = None, path: str | None = None
) -> dict[str, str]:
    """A minimal environment: no inherited variables (no API keys, tokens or NATS URLs)."""
    env = {
        "PATH": path or toolchain_path(),
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
    toolchain: Sequence[str] | None = None,
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
    for prefix in sorted(set(toolchain_roots() if toolchain is None else toolchain)):
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
        # No --new-session: run_process already gave the check its own session, without a
        # controlling terminal (nothing to inject into); another session would also be a new
        # scheduler autogroup, back at normal priority.
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
    image: str | None = None,
) -> ProcessResult:
    """Run one verify command in the worktree, sandboxed by the backend this worker is set to
    (`DEVTEAM_SANDBOX`), under `limits`.

    `network=True` is for setup commands (installing dependencies); checks get none. `image`
    is the project's toolchain image (Docker backend only).
    """
    if backend() == "docker":
        return await run_in_container(
            command, image=choose_image(image), worktree=worktree,
            env=scrubbed_env(Path(CONTAINER_HOME), path=CONTAINER_PATH), timeout_s=timeout_s,
            limits=limits or CheckLimits(), on_line=on_line, network=network,
        )  # fmt: skip
    await asyncio.to_thread(home.mkdir, parents=True, exist_ok=True)
    argv = sandbox_argv(command, worktree, home, backend() == "bwrap", network=network)
    return await run_process(
        argv, cwd=worktree, env=scrubbed_env(home), timeout_s=timeout_s, on_line=on_line,
        limits=limits,
    )  # fmt: skip


def backend() -> str:
    """The sandbox this worker uses: `DEVTEAM_SANDBOX` = `docker`, `bwrap`, `none`, or `auto`
    (the default: bwrap when it is installed, else none)."""
    chosen = os.environ.get(BACKEND_VAR, "auto").strip().lower() or "auto"
    if chosen not in ("auto", "bwrap", "docker", "none"):
        raise ValueError(f"{BACKEND_VAR} must be auto, bwrap, docker or none, not {chosen!r}")
    if chosen == "auto":
        return "bwrap" if bwrap_available() else "none"
    return chosen


def describe(limits: CheckLimits, image: str | None = None) -> dict[str, object]:
    """What isolation the checks get here, as reported with the run: never more than holds."""
    if backend() == "docker":
        return {
            "backend": "docker",
            "image": choose_image(image),
            "network": "none",
            "filesystem": "read-only root; the worktree bind-mounted; private /tmp and HOME",
            "limits": limits.describe(),
            "processes_limited": True,
        }
    bwrap = backend() == "bwrap"
    processes_bind = os.geteuid() != 0 or PidsCgroup.available()
    return {
        "backend": "bwrap" if bwrap else "none",
        "network": "none" if bwrap else "host (not isolated)",
        "filesystem": "read-only outside the worktree" if bwrap else "not isolated",
        "limits": limits.describe(),
        "processes_limited": processes_bind,
    }
