"""Run one Aider attempt in a given git work tree: through the host when there is one, else as
a CLI process of Aider's own environment.

Aider 0.86 exits 0 even when the model or the edit failed, so the outcome only reports what
happened (how the process ended, the output, and the driver's accounting of every model call);
the caller judges success from git and that accounting.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from devteam_sandbox.process import DEFAULT_WORK_NICE, LineSink, OutputLines, run_process

from .accounting import Accounting, parse_accounting, read_accounting
from .aider_driver import BUDGET_COST_VAR, BUDGET_TOKENS_VAR
from .host import AiderHost, HostRequest, HostUnavailable
from .settings_files import StateFiles, aider_args, write_state_files

DRIVER = Path(__file__).with_name("aider_driver.py")
TAIL_CHARS = 4000
KILL_GRACE_S = 5.0
HOST_WAIT_S = 120.0
_REDACTED = "[REDACTED]"
# Placeholder for endpoints that take no key: the OpenAI client refuses to start without one.
_NO_KEY = "no-key"


class AiderError(Exception):
    """Aider could not be started at all (as opposed to a run that went badly)."""


@dataclass(frozen=True)
class AiderInvocation:
    """One Aider attempt: where, what to ask, which model endpoint, which files in the chat."""

    worktree: Path
    message: str
    model: str
    api_base: str
    api_key: str | None
    state_dir: Path
    tags_cache: Path
    timeout_s: float
    weak_model: str | None = None
    edit_format: str | None = None
    request_timeout_s: float = 60
    retry_timeout_s: float = 30
    chat_files: list[str] = field(default_factory=list)
    read_only: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    map_tokens: int | None = None  # the repo map's size (None: Aider's choice)
    max_output_tokens: int | None = None  # `max_tokens` of every request (None: the provider's)
    # What this attempt may still spend of its run's budget (None: no limit); the driver
    # refuses the next model request once its calls have used that much.
    budget_tokens: int | None = None
    budget_cost_usd: float | None = None


@dataclass(frozen=True)
class AiderOutcome:
    """What happened; says nothing about whether the change is any good."""

    exit_code: int | None
    signal: int | None
    timed_out: bool
    duration_s: float
    output_tail: str
    argv: list[str]
    runner: str
    accounting: Accounting | None
    fallback: str | None = None


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
        "OPENBLAS_NUM_THREADS": "1",
        "OPENAI_API_BASE": inv.api_base,
        "OPENAI_API_KEY": inv.api_key or _NO_KEY,
        **({BUDGET_TOKENS_VAR: str(inv.budget_tokens)} if inv.budget_tokens is not None else {}),
        **({BUDGET_COST_VAR: repr(inv.budget_cost_usd)} if inv.budget_cost_usd is not None else {}),
    }


def _prepare(inv: AiderInvocation) -> StateFiles:
    if not inv.worktree.is_dir():
        raise AiderError(f"work tree {inv.worktree} does not exist")
    inv.tags_cache.mkdir(parents=True, exist_ok=True)
    weak = inv.weak_model or inv.model
    return write_state_files(
        inv.state_dir, sorted({inv.model, weak}), inv.ignored, inv.message, inv.max_output_tokens
    )


async def run_aider(
    inv: AiderInvocation,
    aider_python: Path,
    on_line: LineSink | None = None,
    host: AiderHost | None = None,
    nice: int | None = None,
) -> AiderOutcome:
    """Run Aider once in `inv.worktree` and report how it ended, its output and accounting.

    With a `host`, the attempt is a forked child of the pre-imported host; when the host is
    unavailable the attempt runs Aider's CLI instead and `fallback` says why. Either way Aider
    runs through a driver that stops it from reading the repository's `.aider.conf.yml`,
    `.env` and model files; every setting is on the command line, and the API base and key
    travel only in the environment. Output lines (with the key redacted) go to `on_line` as
    they arrive. On `inv.timeout_s` expiry, or if the caller is cancelled, the attempt's whole
    process group is terminated. Raises AiderError only if Aider cannot be started at all.
    The CLI runs at the work's priority, `nice` (`WorkSettings.work_nice`; by default the
    host's, or `DEFAULT_WORK_NICE` without a host).
    """
    files = await asyncio.to_thread(_prepare, inv)
    args = aider_args(
        files,
        inv.model,
        inv.weak_model or inv.model,
        inv.edit_format,
        inv.request_timeout_s,
        inv.chat_files,
        inv.read_only,
        inv.map_tokens,
    )
    env = _environment(inv, files.home)
    secret = inv.api_key

    def redact(line: str) -> str:
        return line.replace(secret, _REDACTED) if secret else line

    output = OutputLines(on_line, redact)
    fallback: str | None = None
    if host is not None:
        request = HostRequest(
            argv=args,
            cwd=inv.worktree,
            env=env,
            message=inv.message,
            accounting=files.accounting,
            tags_cache=inv.tags_cache,
            retry_timeout_s=inv.retry_timeout_s,
        )
        try:
            result = await host.attempt(request, output.line, inv.timeout_s, KILL_GRACE_S,
                                        wait_ready_s=HOST_WAIT_S)  # fmt: skip
        except HostUnavailable as exc:
            fallback = str(exc)
            await output.line(f"[devteam] {fallback}; running the Aider CLI instead")
        else:
            return AiderOutcome(
                exit_code=result.exit_code,
                signal=result.signal,
                timed_out=result.timed_out,
                duration_s=result.duration_s,
                output_tail=output.tail()[-TAIL_CHARS:],
                argv=args,
                runner="host",
                accounting=parse_accounting(result.accounting),
            )
    if nice is None:
        nice = host.nice if host is not None else DEFAULT_WORK_NICE
    return await _run_cli(inv, aider_python, files, args, env, output, fallback, nice)


async def _run_cli(
    inv: AiderInvocation,
    aider_python: Path,
    files: StateFiles,
    args: list[str],
    env: dict[str, str],
    output: OutputLines,
    fallback: str | None,
    nice: int,
) -> AiderOutcome:
    if not await asyncio.to_thread(aider_python.is_file):
        raise AiderError(f"aider python not found at {aider_python}; install the aider tool env")
    argv = [
        str(aider_python), "-I", "-u", str(DRIVER),
        "--accounting", str(files.accounting), "--tags-cache", str(inv.tags_cache),
        "--retry-timeout", f"{inv.retry_timeout_s:g}",
        "--", "--message-file", str(files.message), *args,
    ]  # fmt: skip
    started = time.monotonic()
    try:
        result = await run_process(
            argv,
            cwd=inv.worktree,
            env=env,
            timeout_s=inv.timeout_s,
            nice=nice,
            on_line=output.line,
            kill_grace_s=KILL_GRACE_S,
        )
    except OSError as exc:
        raise AiderError(f"cannot start aider with {aider_python}: {exc}") from exc
    code = result.exit_code
    return AiderOutcome(
        exit_code=code if code >= 0 else None,
        signal=-code if code < 0 else None,
        timed_out=result.timed_out,
        duration_s=time.monotonic() - started,
        output_tail=output.tail()[-TAIL_CHARS:],
        argv=argv,
        runner="cli",
        accounting=await asyncio.to_thread(read_accounting, files.accounting),
        fallback=fallback,
    )
