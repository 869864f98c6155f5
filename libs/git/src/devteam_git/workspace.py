"""One project's git workspace in one service process's own data directory: a bare mirror of
the customer repository, and one working tree per project that is reused from task to task.

Layout under the data directory (built from validated ids and a hash of the URL only):

    mirrors/<tenant>/<sha256(url)[:16]>.git   bare mirror, one per repository (per tenant, so
                                              one customer's objects never serve another's)
    workspaces/<tenant>/<project>/tree        the project's working tree; each task checks out
                                              its branch devteam/<run>/<task> there

No other process reads these files: a stage that lacks a commit fetches the target branch from
the customer's repository, and the commits another stage made from the bundle that stage handed
over (`bundle` / `ensure_commit`; the bundle travels through NATS, not the file system).

One run per project at a time (the project lock) means one task at a time uses the tree.
Re-using it costs a checkout of what changed plus a clean, instead of writing every file of
the repository for each task.
"""

import asyncio
import hashlib
import os
import shutil
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from devteam_contracts.commands import TaskCommand
from devteam_contracts.projects import Project
from devteam_git.changes import changed_paths, commit_all, dirty_paths, head
from devteam_git.credentials import Credentials, credential_env, redact_git
from devteam_git.errors import GitError, InvalidInputError, MergeConflictError, PushRejectedError
from devteam_git.maintenance import collect_all_garbage, collect_garbage
from devteam_git.refs import (
    BRANCH_PREFIX,
    HANDOVER_PREFIX,
    SAFE_ID,
    TASK_ID,
    check_branch_name,
    handover_ref,
    task_branch,
    task_slug,
)
from devteam_git.run import RECEIVE_PACK, UPLOAD_PACK, GitResult, git
from devteam_git.settings import SecretLookup, allowed_schemes, credentials_for
from devteam_git.urls import normalize_repo_url

__all__ = [
    "BRANCH_PREFIX",
    "HANDOVER_PREFIX",
    "BundleGetter",
    "BundleSource",
    "Workspace",
    "changed_paths",
    "check_branch_name",
    "collect_all_garbage",
    "collect_garbage",
    "commit_all",
    "dirty_paths",
    "handover_ref",
    "head",
    "squash_commit",
    "task_branch",
    "task_slug",
]

BundleSource = Callable[[], Awaitable[bytes | None]]
# (run, task, attempt) → that attempt's bundle, e.g. `BundleStore.get`
BundleGetter = Callable[[str, str, int, str], Awaitable[bytes | None]]  # run, task, attempt, head
# Serialises git work on one mirror inside this process (fetches and ref updates of projects
# sharing a repository); git's own ref locks cover other processes.
_MIRROR_LOCKS: dict[Path, asyncio.Lock] = {}
# Serialises the commands that use one project's tree inside this process: a duplicate
# delivery (redelivered while the first still works) waits instead of sharing the tree.
_TREE_LOCKS: dict[Path, asyncio.Lock] = {}


class Workspace:
    """The mirror and working tree of one project."""

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
        self.data_dir = data_dir
        self.repo_url = repo_url
        self.credentials = credentials
        key = hashlib.sha256(repo_url.encode()).hexdigest()[:16]
        self.mirror = data_dir / "mirrors" / tenant / f"{key}.git"
        self.root = data_dir / "workspaces" / tenant / project
        self.tree = self.root / "tree"

    @classmethod
    async def open(cls, data_dir: Path, project: Project, lookup: SecretLookup) -> "Workspace":
        """The workspace of a registered project (its URL validated again here), with the
        project's credentials resolved now through `lookup` (the command's tenant's secrets)."""
        url = normalize_repo_url(project.repo_url, allowed_schemes())
        credentials = await credentials_for(project, lookup)
        return cls(data_dir, project.tenant, project.id, url, credentials)

    async def _remote(self, args: list[str], *, check: bool = True) -> GitResult:
        """A git command that talks to the customer's repository: credentials go in through
        the environment only, and whatever git says comes back redacted."""
        scratch = self.data_dir / "tmp"
        await asyncio.to_thread(scratch.mkdir, parents=True, exist_ok=True)
        known_hosts = self.data_dir / "known_hosts"
        with credential_env(self.credentials, scratch, known_hosts=known_hosts) as env:
            try:
                result = await git(args, self.mirror, check=check, env=env)
            except GitError as exc:
                raise type(exc)(redact_git(str(exc), self.credentials)) from None
        return GitResult(result.code, result.out, redact_git(result.stderr, self.credentials))

    def _lock(self) -> asyncio.Lock:
        return _MIRROR_LOCKS.setdefault(self.mirror, asyncio.Lock())

    @staticmethod
    def tree_lock(data_dir: Path, tenant: str, project: str) -> asyncio.Lock:
        """The lock a stage holds while it uses the project's tree (prepare, Aider, checks)."""
        return _TREE_LOCKS.setdefault(data_dir / "workspaces" / tenant / project, asyncio.Lock())

    async def sync(self, branch: str) -> str:
        """Create the mirror if needed, fetch the target branch, return its commit SHA.

        The mirror is fetched, never re-cloned; the target lives at `refs/remotes/origin/<b>`.
        """
        async with self._lock():
            if not (self.mirror / "HEAD").exists():
                await self._create_mirror()
            await self._remote(
                [
                    "fetch",
                    "--quiet",
                    "--prune",
                    "--no-tags",
                    "--no-recurse-submodules",
                    f"--upload-pack={UPLOAD_PACK}",
                    "origin",
                    f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
                ]
            )
        return await self.rev_parse(f"refs/remotes/origin/{branch}")

    async def _create_mirror(self) -> None:
        self.mirror.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.mirror.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        await git(["init", "--quiet", "--bare", "--", str(tmp)])
        await git(["config", "user.name", "DevTeam Runner"], tmp)
        await git(["config", "user.email", "devteam@localhost"], tmp)
        await git(["config", "gc.auto", "0"], tmp)  # no surprise repacks in the hot path
        await git(["remote", "add", "origin", "--", self.repo_url], tmp)
        # Aider's caches and our private files never count as changes of a task.
        (tmp / "info").mkdir(exist_ok=True)
        (tmp / "info" / "exclude").write_text(".aider*\n")
        tmp.rename(self.mirror)  # atomic: a crash never leaves a half-made mirror in place

    async def rev_parse(self, ref: str) -> str:
        """The commit SHA `ref` points at."""
        out = await git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], self.mirror)
        return out.stdout.strip()

    async def has_commit(self, sha: str) -> bool:
        """True when the mirror already holds `sha` (no fetch needed)."""
        if not (self.mirror / "HEAD").exists():
            return False
        result = await git(["cat-file", "-e", f"{sha}^{{commit}}"], self.mirror, check=False)
        return result.code == 0

    def _scratch(self, suffix: str) -> Path:
        scratch = self.data_dir / "tmp"
        scratch.mkdir(parents=True, exist_ok=True)
        return scratch / f"{uuid.uuid4().hex}{suffix}"

    async def bundle(self, run_id: str, task_id: str, attempt: int, base: str, tip: str) -> bytes:
        """A git bundle of the commits `base..tip` (an attempt's work), under the attempt's
        hand-over ref; `base` is its prerequisite, which every stage fetches from the customer's
        repository itself."""
        ref = handover_ref(run_id, task_id, attempt)
        await git(["update-ref", ref, tip], self.mirror)
        path = self._scratch(".bundle")
        try:
            await git(["bundle", "create", "--quiet", str(path), ref, f"^{base}"], self.mirror)
            return path.read_bytes()
        finally:
            path.unlink(missing_ok=True)

    async def ensure_commit(
        self,
        sha: str,
        *,
        base: str,
        branch: str,
        handover: tuple[str, BundleSource] | None = None,
    ) -> None:
        """Make sure the mirror holds `sha`: fetch the target `branch` when even `base` is
        missing, then, when `sha` is a commit another stage made on top of `base`, import it
        from `handover` (the hand-over ref and a source of its bundle).

        `GitError` when the commit cannot be had (the bundle is gone, or `base` is no longer
        in the customer's repository).
        """
        if await self.has_commit(sha):
            return
        if not await self.has_commit(base):
            await self.sync(branch)
            if not await self.has_commit(base):
                raise GitError(f"commit {base[:12]} is no longer on {branch}")
        if sha == base or await self.has_commit(sha):
            return
        if handover is None:
            raise GitError(f"commit {sha[:12]} is not in the repository")
        ref, source = handover
        data = await source()
        if data is None:
            raise GitError(f"the commits up to {sha[:12]} were not handed over (or are gone)")
        path = self._scratch(".bundle")
        try:
            path.write_bytes(data)
            async with self._lock():
                await git(
                    ["fetch", "--quiet", "--no-tags", str(path), f"+{ref}:{ref}"], self.mirror
                )
        finally:
            path.unlink(missing_ok=True)
        if not await self.has_commit(sha):
            raise GitError(f"the bundle of {ref} does not hold {sha[:12]}")

    async def ensure_task_commit(
        self, cmd: TaskCommand, sha: str, attempt: int, bundles: BundleGetter
    ) -> None:
        """`ensure_commit` for `sha`, made by attempt `attempt` of `cmd`'s task on top of its
        base, with that attempt's bundle from `bundles` if needed."""

        async def source() -> bytes | None:
            return await bundles(cmd.run_id, cmd.task.id, attempt, sha)

        await self.ensure_commit(
            sha,
            base=cmd.base_sha,
            branch=cmd.config.target_branch,
            handover=(handover_ref(cmd.run_id, cmd.task.id, attempt), source),
        )

    async def checkout_task_commit(
        self, cmd: TaskCommand, sha: str, attempt: int, bundles: BundleGetter
    ) -> Path:
        """This process's tree of the project, clean, on `cmd`'s task branch at `sha` (the
        base, or a commit attempt `attempt` made, imported from its bundle if need be)."""
        await self.ensure_task_commit(cmd, sha, attempt, bundles)
        tree = await self.prepare(cmd.run_id, cmd.task.id, sha, submodules=cmd.config.submodules)
        return tree.resolve()

    async def read_file(self, commit: str, path: str) -> bytes | None:
        """A file's bytes at `commit`, read from the mirror without a checkout; None if absent."""
        result = await git(["cat-file", "blob", f"{commit}:{path}"], self.mirror, check=False)
        if result.code != 0:
            return None
        return result.out

    async def top_level(self, commit: str) -> list[str]:
        """The names at the top of `commit`'s tree (files and directories)."""
        out = await git(["ls-tree", "-z", "--name-only", commit], self.mirror)
        return [name for name in out.stdout.split("\0") if name]

    async def tracked(self, commit: str) -> list[str]:
        """Every file path in `commit`'s tree."""
        out = await git(["ls-tree", "-r", "-z", "--name-only", commit], self.mirror)
        return [name for name in out.stdout.split("\0") if name]

    async def find_landed(self, base: str, tip: str, trailers: str) -> str | None:
        """The commit in `base..tip` whose message carries all of `trailers`, if any.

        Tells COMPLETE that an earlier delivery already landed the task (someone may have
        pushed on top of it since).
        """
        args = ["log", "--format=%H", "--all-match", "--fixed-strings"]
        for line in trailers.strip().splitlines():
            args.append(f"--grep={line}")
        out = await git([*args, f"{base}..{tip}", "--"], self.mirror)
        found = out.stdout.split()
        return found[0] if found else None

    async def replay_onto(self, commit: str, onto: str) -> str:
        """`commit` (one commit) re-created on top of `onto` by a three-way merge.

        Raises `MergeConflictError` with the conflicting paths instead of forcing anything.
        """
        result = await git(
            ["merge-tree", "--write-tree", "--name-only", "--no-messages", onto, commit],
            self.mirror,
            check=False,
        )
        lines = result.stdout.splitlines()
        if result.code == 1:
            raise MergeConflictError(lines[1:])
        if result.code != 0 or not lines:
            raise GitError(f"git merge-tree failed: {result.stderr.strip()[-300:]}")
        message = await self.commit_message(commit)
        out = await git(
            ["commit-tree", lines[0], "-p", onto, "-F", "-"], self.mirror, stdin=message.encode()
        )
        return out.stdout.strip()

    async def commit_message(self, commit: str) -> str:
        """The full message of a commit (ending in exactly one newline)."""
        out = await git(["log", "-1", "--format=%B", commit], self.mirror)
        return out.stdout.rstrip("\n") + "\n"

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

    async def changed_between(self, base: str, tip: str) -> list[str]:
        """Paths that differ between two commits (read from the mirror)."""
        out = await git(["diff", "--name-only", "-z", base, tip, "--"], self.mirror)
        return [p for p in out.stdout.split("\0") if p]

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

    async def push(self, commit: str, branch: str) -> None:
        """Push `commit` to the customer repository's `branch` (fast-forward only).

        `PushRejectedError` when the branch moved (fetch, replay, retry); `GitError` for
        anything else (auth, network, a hook of the remote saying no).
        """
        result = await self._remote(
            [
                "push",
                "--porcelain",
                "--no-verify",
                f"--receive-pack={RECEIVE_PACK}",
                "origin",
                f"{commit}:refs/heads/{branch}",
            ],
            check=False,
        )
        if result.code != 0:
            moved = "[rejected]" in result.stdout and (
                "non-fast-forward" in result.stdout or "fetch first" in result.stdout
            )
            error = PushRejectedError if moved else GitError
            detail = (result.stdout + result.stderr).strip()[-300:]
            raise error(f"push to {branch} failed: {detail}", result.stderr)
        await git(["update-ref", f"refs/remotes/origin/{branch}", commit], self.mirror)


async def squash_commit(
    repo: Path, base: str, tip: str, message: str, extra_path: str, content: bytes
) -> str:
    """One commit on top of `base` with `tip`'s tree plus `extra_path` replaced by `content`.

    Used by COMPLETE so each task lands as exactly one commit on the target branch (the code
    change and the ticked box together). Built with plumbing in a private index in `repo` (a
    mirror), so no working tree is involved.
    """
    index = repo / f"devteam-complete-{uuid.uuid4().hex}.index"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        await git(["read-tree", tip], repo, env=env)
        blob = (await git(["hash-object", "-w", "--stdin"], repo, stdin=content)).stdout.strip()
        await git(
            ["update-index", "--add", "--cacheinfo", f"100644,{blob},{extra_path}"],
            repo,
            env=env,
        )
        tree = (await git(["write-tree"], repo, env=env)).stdout.strip()
    finally:
        index.unlink(missing_ok=True)
    out = await git(["commit-tree", tree, "-p", base, "-F", "-"], repo, stdin=message.encode())
    if not out.stdout.strip():
        raise GitError("commit-tree returned no commit")
    return out.stdout.strip()


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
