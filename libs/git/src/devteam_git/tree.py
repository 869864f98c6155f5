"""A project's working tree (`workspaces/<tenant>/<project>/tree`): a worktree of the
repository's mirror, reused from task to task, each task checking out its own branch there.

Re-using it costs a checkout of what changed plus a clean, instead of writing every file of
the repository for each task. A tenant's commands may have had the tree (as another user):
our git reclaims its `.git` pointer before it works there.
"""

import asyncio
import os
import shutil
from pathlib import Path

from devteam_git.credentials import Credentials
from devteam_git.errors import GitError, InvalidInputError
from devteam_git.mirror import Mirror
from devteam_git.refs import HANDOVER_PREFIX, SAFE_ID, TASK_ID, task_branch, task_slug
from devteam_git.run import GitResult, git

# Serialises the commands that use one project's tree inside this process: a duplicate
# delivery (redelivered while the first still works) waits instead of sharing the tree.
_TREE_LOCKS: dict[Path, asyncio.Lock] = {}


class ProjectTree(Mirror):
    """The working tree of one project, checked out from its repository's mirror."""

    def __init__(
        self,
        data_dir: Path,
        tenant: str,
        project: str,
        repo_url: str,
        credentials: Credentials | None = None,
    ) -> None:
        if not SAFE_ID.match(tenant) or not SAFE_ID.match(project):
            raise InvalidInputError("tenant and project ids must be safe ids")
        super().__init__(data_dir, tenant, repo_url, credentials)
        self.root = data_dir / "workspaces" / tenant / project
        self.tree = self.root / "tree"

    @staticmethod
    def tree_lock(data_dir: Path, tenant: str, project: str) -> asyncio.Lock:
        """The lock a stage holds while it uses the project's tree (prepare, Aider, checks)."""
        return _TREE_LOCKS.setdefault(data_dir / "workspaces" / tenant / project, asyncio.Lock())

    async def prepare(
        self, run_id: str, task_id: str, base_sha: str, submodules: bool = False
    ) -> Path:
        """The project's tree, clean, on branch `devteam/<run>/<task>` at `base_sha`.

        Idempotent: a repeat yields the same branch at the same commit. Nothing of an earlier
        task survives: tracked files are reset and untracked and ignored files removed.
        Submodules are checked out only when the project enables them.
        """
        tree = await self._checkout(run_id, task_id, base_sha)
        if submodules:
            await self._tree_git(["submodule", "update", "--init", "--recursive", "--force"])
        return tree

    async def _checkout(self, run_id: str, task_id: str, base_sha: str) -> Path:
        if not SAFE_ID.match(run_id) or not TASK_ID.match(task_id):
            raise InvalidInputError("run and task ids must be safe ids")
        branch = task_branch(run_id, task_id)
        if await asyncio.to_thread(self._reclaim_tree):
            try:
                await self._tree_git(["checkout", "--quiet", "--force", "-B", branch, base_sha])
                await self._tree_git(["clean", "-qffdx"])
                return self.tree
            except GitError:
                # A tree a crash left unusable (e.g. its gitdir is gone): make a new one.
                await self._drop_tree()
        self.root.mkdir(parents=True, exist_ok=True)
        async with self._lock():
            await git(["worktree", "prune"], self.mirror)
            await git(
                ["worktree", "add", "--quiet", "--force", "-B", branch, "--", str(self.tree),
                 base_sha],
                self.mirror,
            )  # fmt: skip
        return self.tree

    def _reclaim_tree(self) -> bool:
        """Before our git works in the tree (which a tenant's commands may have had, as
        another user): its `.git` pointer rewritten to the one git made, whatever is there
        now, so no one else's repository configuration (filters, hooks) ever runs here.
        False when there is no usable tree (one without its record in the mirror is
        removed)."""
        if not self.tree.is_dir():
            return False
        admin = self.tree_gitdir()
        if admin is None:
            shutil.rmtree(self.tree, ignore_errors=True)
            return False
        pointer = self.tree.resolve() / ".git"
        expected = f"gitdir: {admin}\n"
        if pointer.is_symlink() or not pointer.is_file() or _read(pointer) != expected.strip():
            if pointer.is_dir() and not pointer.is_symlink():
                shutil.rmtree(pointer)
            else:
                pointer.unlink(missing_ok=True)
            pointer.write_text(expected)
        return True

    def tree_gitdir(self) -> Path | None:
        """The tree's git directory in the mirror (`worktrees/<name>`), found from the
        mirror's side (whose record names the tree), never from what is in the tree; None
        when the mirror holds no record of it."""
        pointer = str(self.tree.resolve() / ".git")
        for admin in (self.mirror / "worktrees").glob("*"):
            if _read(admin / "gitdir") == pointer:
                return admin.resolve()
        return None

    async def setup_leftovers(self) -> list[str]:
        """After a tenant's setup ran in the tree: its tracked files restored to the tree's
        commit, and the paths setup left that git does not track (untracked or ignored; a
        directory as one entry), which become part of the project's environment."""
        if not await asyncio.to_thread(self._reclaim_tree):
            raise GitError(f"the tree of {self.root} is gone")
        await self._tree_git(["reset", "--quiet", "--hard"])
        out = await self._tree_git(
            ["status", "--porcelain", "-z", "--ignored=matching", "--untracked-files=normal"]
        )
        entries = out.stdout.split("\0")
        return [e[3:].rstrip("/") for e in entries if e[:3] in ("?? ", "!! ") and e[3:]]

    async def _tree_git(self, args: list[str]) -> GitResult:
        """git in the tree, which may belong to a tenant's sandbox user now (trusted here
        because `_reclaim_tree` made its `.git` ours)."""
        return await git(args, self.tree, trust=self.tree.resolve())

    async def _drop_tree(self) -> None:
        await git(["worktree", "remove", "--force", "--", str(self.tree)], self.mirror, check=False)
        await asyncio.to_thread(shutil.rmtree, self.tree, True)
        await git(["worktree", "prune"], self.mirror, check=False)

    async def finish(self, run_id: str, task_id: str) -> None:
        """After integration: the task branch and its hand-over refs are gone, the tree (if
        any) stays for the next task."""
        branch = task_branch(run_id, task_id)
        if await asyncio.to_thread(self._reclaim_tree):
            current = await git(
                ["symbolic-ref", "--quiet", "HEAD"], self.tree, check=False,
                trust=self.tree.resolve(),
            )  # fmt: skip
            if current.stdout.strip() == f"refs/heads/{branch}":
                await self._tree_git(["checkout", "--quiet", "--detach"])
        await git(["branch", "-D", "--", branch], self.mirror, check=False)
        prefix = f"{HANDOVER_PREFIX}{run_id}/{task_slug(task_id)}/"
        refs = await git(["for-each-ref", "--format=%(refname)", prefix], self.mirror)
        doomed = "".join(f"delete {ref}\n" for ref in refs.stdout.split())
        if doomed:
            await git(["update-ref", "--stdin"], self.mirror, stdin=doomed.encode())

    async def disk_usage(self) -> int:
        """Bytes used by this project's tree and its repository's mirror."""
        return await asyncio.to_thread(_du, [self.mirror, self.root])


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _du(paths: list[Path]) -> int:
    total = 0
    for root in paths:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                try:
                    total += os.lstat(os.path.join(folder, name)).st_size
                except OSError:
                    continue  # removed while we counted
    return total
