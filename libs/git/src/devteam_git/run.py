"""Running git safely: no customer hooks, filters, fsmonitor or exotic transports, no prompts."""

import asyncio
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from devteam_git.errors import GitError

IDENTITY = {
    "GIT_AUTHOR_NAME": "DevTeam Runner",
    "GIT_AUTHOR_EMAIL": "devteam@localhost",
    "GIT_COMMITTER_NAME": "DevTeam Runner",
    "GIT_COMMITTER_EMAIL": "devteam@localhost",
}

# Applied to every git command we run: a customer repository's own configuration must not make
# us execute anything (hooks, fsmonitor, ssh commands) or reach out through other transports.
SAFE_CONFIG = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "protocol.ext.allow=never",
    "protocol.fd.allow=never",
    "submodule.recurse=false",
    "core.askPass=",
    "credential.helper=",
    "advice.detachedHead=false",
)


# For local (file://) remotes git runs upload-pack/receive-pack *inside the customer's
# repository on this machine*, with that repository's config and hooks, and it does not pass
# our `-c` settings on. Naming the programs explicitly keeps its hooks from running here.
UPLOAD_PACK = "git -c core.hooksPath=/dev/null -c core.fsmonitor=false upload-pack"
RECEIVE_PACK = "git -c core.hooksPath=/dev/null -c core.fsmonitor=false receive-pack"


@dataclass(frozen=True)
class GitResult:
    """Output of one git command."""

    code: int
    out: bytes
    stderr: str

    @property
    def stdout(self) -> str:
        """Standard output as text."""
        return self.out.decode(errors="replace")


def git_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A minimal environment for git: no system/global config, no terminal prompts."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/nonexistent"),
        "LANG": "C.UTF-8",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        **IDENTITY,
    }
    if extra:
        env.update(extra)
    return env


async def git(
    args: Sequence[str],
    cwd: Path | None = None,
    *,
    check: bool = True,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    trust: Path | None = None,
) -> GitResult:
    """Run `git <args>` off the event loop; raise `GitError` on failure when `check`.
    `trust` is a worktree of ours that may belong to another user (a tenant's sandbox user):
    git works in it anyway."""
    argv = ["git"]
    for item in SAFE_CONFIG:
        argv += ["-c", item]
    if trust is not None:
        argv += ["-c", f"safe.directory={trust}"]
    argv += list(args)
    proc = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=git_env(env),
    )
    out, err = await proc.communicate(stdin)
    result = GitResult(proc.returncode or 0, out, err.decode(errors="replace"))
    if check and result.code != 0:
        message = f"git {args[0]} failed (exit {result.code}): {result.stderr.strip()[-500:]}"
        raise GitError(message, result.stderr)
    return result
