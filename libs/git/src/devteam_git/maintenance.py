"""A service's care of its data directory: the start-up sweep repairs what a crash can leave
there, and the garbage collection deletes old task branches and hand-over refs.

The sweep removes stale lock files (a git process killed mid-write leaves `*.lock` behind
and every later command on that repository fails), half-made mirrors, and working trees
whose repository metadata is gone.
"""

import asyncio
import contextlib
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from devteam_git.errors import GitError
from devteam_git.refs import BRANCH_PREFIX, HANDOVER_PREFIX
from devteam_git.run import git
from devteam_git.settings import WorkspaceSettings

log = logging.getLogger(__name__)

LOCK_NAMES = ("index.lock", "HEAD.lock", "config.lock", "packed-refs.lock", "shallow.lock")


@dataclass
class SweepReport:
    """What the sweep removed."""

    locks: list[Path] = field(default_factory=list)
    half_made_mirrors: list[Path] = field(default_factory=list)
    orphaned_trees: list[Path] = field(default_factory=list)


def _stale_locks(gitdir: Path, older_than: float) -> list[Path]:
    found = [gitdir / name for name in LOCK_NAMES if (gitdir / name).exists()]
    refs = gitdir / "refs"
    if refs.is_dir():
        found += list(refs.rglob("*.lock"))
    return [p for p in found if p.stat().st_mtime < older_than]


async def sweep(data_dir: Path, stale_after_s: float = 300) -> SweepReport:
    """Remove stale locks, half-made mirrors and orphaned trees; prune worktree records.

    Locks younger than `stale_after_s` are left alone: another replica may be working.
    """
    report = SweepReport()
    # Boxes of untrusted commands a crash left behind (their HOMEs): never reused.
    await asyncio.to_thread(shutil.rmtree, data_dir / "boxes", True)
    older_than = time.time() - stale_after_s
    mirrors = data_dir / "mirrors"
    for tmp in mirrors.glob("*/*.tmp"):
        shutil.rmtree(tmp, ignore_errors=True)
        report.half_made_mirrors.append(tmp)
    for mirror in mirrors.glob("*/*.git"):
        gitdirs = [mirror, *(p for p in (mirror / "worktrees").glob("*") if p.is_dir())]
        for gitdir in gitdirs:
            for lock in _stale_locks(gitdir, older_than):
                lock.unlink(missing_ok=True)
                report.locks.append(lock)
    for tree in (data_dir / "workspaces").glob("*/*/*"):
        if not tree.is_dir():
            continue
        pointer = tree / ".git"
        target = _gitdir_of(pointer)
        if tree.name != "tree" or target is None or not target.is_dir():
            shutil.rmtree(tree, ignore_errors=True)
            report.orphaned_trees.append(tree)
    for mirror in mirrors.glob("*/*.git"):
        await git(["worktree", "prune"], mirror, check=False)
    if report.locks or report.half_made_mirrors or report.orphaned_trees:
        log.warning("start-up sweep repaired: %s", report)
    return report


def _gitdir_of(pointer: Path) -> Path | None:
    try:
        text = pointer.read_text()
    except OSError:
        return None
    if not text.startswith("gitdir:"):
        return None
    path = Path(text[len("gitdir:") :].strip())
    return path if path.is_absolute() else (pointer.parent / path).resolve()


async def collect_garbage(mirror: Path, keep_failed_s: float) -> list[str]:
    """Delete task branches and hand-over refs whose commits are older than `keep_failed_s`
    (failed tasks are kept for inspection until then); a branch checked out in a working tree
    is kept. Returns the deleted ref names."""
    out = await git(
        ["for-each-ref", "--format=%(refname) %(committerdate:unix)",
         f"refs/heads/{BRANCH_PREFIX}", HANDOVER_PREFIX],
        mirror,
    )  # fmt: skip
    trees = await git(["worktree", "list", "--porcelain"], mirror, check=False)
    checked_out = {
        line.split(" ", 1)[1] for line in trees.stdout.splitlines() if line.startswith("branch ")
    }
    cutoff = time.time() - keep_failed_s
    old = [
        name
        for name, stamp in (line.rsplit(" ", 1) for line in out.stdout.splitlines() if line)
        if int(stamp) < cutoff and name not in checked_out
    ]
    if old:
        doomed = "".join(f"delete {name}\n" for name in old)
        await git(["update-ref", "--stdin"], mirror, stdin=doomed.encode())
    return old


async def collect_all_garbage(data_dir: Path, keep_failed_s: float) -> list[str]:
    """`collect_garbage` in every mirror of a data directory."""
    deleted: list[str] = []
    for mirror in sorted((data_dir / "mirrors").glob("*/*.git")):
        try:
            deleted += await collect_garbage(mirror, keep_failed_s)
        except GitError as exc:
            log.warning("garbage collection in %s failed: %s", mirror, exc)
    return deleted


class Maintenance:
    """A service's care of its own data directory: the start-up sweep, then old task branches
    and hand-over refs deleted every `every_s` (each process keeps only its own files)."""

    def __init__(self, data_dir: Path, keep_failed_s: float, every_s: float = 3600) -> None:
        self.data_dir = data_dir
        self.keep_failed_s = keep_failed_s
        self.every_s = every_s

    @classmethod
    def of(cls, settings: WorkspaceSettings) -> "Maintenance":
        """The maintenance of the data directory `settings` name."""
        return cls(settings.data_dir, settings.failed_branch_retention_hours * 3600)

    async def run(self, stop: asyncio.Event) -> None:
        """Sweep, then collect garbage periodically until `stop`."""
        await sweep(self.data_dir)
        while not stop.is_set():
            deleted = await collect_all_garbage(self.data_dir, self.keep_failed_s)
            if deleted:
                log.info("deleted %d old task ref(s)", len(deleted))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every_s)
