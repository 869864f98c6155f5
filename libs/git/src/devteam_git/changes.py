"""A task's changes in a working tree: what differs, what is not committed yet, and the
commit of all of it."""

from pathlib import Path

from devteam_git.run import git


async def head(worktree: Path) -> str:
    """The commit checked out in a worktree."""
    return (await git(["rev-parse", "HEAD"], worktree)).stdout.strip()


async def changed_paths(worktree: Path, base: str, tip: str) -> list[str]:
    """Paths that differ between two commits."""
    out = await git(["diff", "--name-only", "-z", base, tip, "--"], worktree)
    return [p for p in out.stdout.split("\0") if p]


async def dirty_paths(worktree: Path) -> list[str]:
    """Uncommitted changes (tracked or untracked, ignoring ignored files)."""
    out = await git(["status", "--porcelain", "-z", "--untracked-files=all"], worktree)
    return [entry[3:] for entry in out.stdout.split("\0") if len(entry) > 3]


async def commit_all(worktree: Path, message: str) -> str:
    """Commit every change in the worktree; returns the new HEAD."""
    await git(["add", "--all"], worktree)
    await git(["commit", "--quiet", "--no-verify", "-m", message], worktree)
    return await head(worktree)
