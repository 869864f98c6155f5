"""Run Aider once, as a subprocess of its own environment, in a given git work tree.

Aider 0.86 exits 0 even when the model or the edit failed, so the outcome only reports what
happened (exit status, timeout, output); the caller judges success from git.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from devteam_sandbox.process import LineSink, run_process

from .settings_files import StateFiles, aider_args, write_state_files

DRIVER = Path(__file__).with_name("aider_driver.py")
TAIL_CHARS = 4000
KILL_GRACE_S = 5.0
_REDACTED = "[REDACTED]"
# Placeholder for endpoints that take no key: the OpenAI client refuses to start without one.
_NO_KEY = "no-key"


class AiderError(Exception):
    """Aider could not be started at all (as opposed to a run that went badly)."""


@dataclass(frozen=True)
class AiderInvocation:
    """One Aider run: where, what to ask, and which model endpoint to ask it of."""

    worktree: Path
    message: str
    model: str
    api_base: str
    api_key: str | None
    state_dir: Path
    timeout_s: float
    edit_format: str = "whole"
    request_timeout_s: float = 60


@dataclass(frozen=True)
class AiderOutcome:
    """What happened; says nothing about whether the change is any good."""

    exit_code: int
    timed_out: bool
    duration_s: float
    output_tail: str
    argv: list[str]


def _environment(inv: AiderInvocation, home: Path) -> dict[str, str]:
    # A minimal environment: nothing of the parent's (other API keys, proxies, AIDER_* settings)
    # reaches Aider, which also treats AIDER_* variables as command-line settings.
    return {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        "NO_COLOR": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "OPENAI_API_BASE": inv.api_base,
        "OPENAI_API_KEY": inv.api_key or _NO_KEY,
    }


def _prepare(inv: AiderInvocation, aider_python: Path) -> StateFiles:
    if not aider_python.is_file():
        raise AiderError(f"aider python not found at {aider_python}; install the aider tool env")
    if not inv.worktree.is_dir():
        raise AiderError(f"work tree {inv.worktree} does not exist")
    return write_state_files(inv.state_dir, inv.model, inv.edit_format, inv.message)


async def run_aider(
    inv: AiderInvocation, aider_python: Path, on_line: LineSink | None = None
) -> AiderOutcome:
    """Run Aider once in `inv.worktree` and report exit status, timeout and output.

    Aider runs through a small driver in the aider environment (`aider_python`) that stops it
    from reading the repository's `.aider.conf.yml`, `.env` and model files; every setting is
    on the command line and the API base and key travel only in the environment. Output lines
    (with the key redacted) go to `on_line` as they arrive. On `inv.timeout_s` expiry, or if
    the caller is cancelled, the whole process group is terminated. Raises AiderError only if
    Aider cannot be started.
    """
    files = await asyncio.to_thread(_prepare, inv, aider_python)
    argv = [
        str(aider_python), "-I", "-u", str(DRIVER), str(files.tags_cache), "--",
        *aider_args(files, inv.model, inv.edit_format, inv.request_timeout_s),
    ]  # fmt: skip
    secret = inv.api_key

    def redact(line: str) -> str:
        return line.replace(secret, _REDACTED) if secret else line

    try:
        result = await run_process(
            argv,
            cwd=inv.worktree,
            env=_environment(inv, files.home),
            timeout_s=inv.timeout_s,
            on_line=on_line,
            redact=redact,
            kill_grace_s=KILL_GRACE_S,
        )
    except OSError as exc:
        raise AiderError(f"cannot start aider with {aider_python}: {exc}") from exc
    return AiderOutcome(
        exit_code=result.exit_code,
        timed_out=result.timed_out,
        duration_s=result.duration_s,
        output_tail=result.output_tail[-TAIL_CHARS:],
        argv=argv,
    )
