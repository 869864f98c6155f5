"""The bare mirror of a customer repository in a service's data directory: created once,
fetched (never re-cloned), and read without a working tree.

It lives at `mirrors/<tenant>/<sha256(url)[:16]>.git`, one per repository and tenant, so one
customer's objects never serve another's. Only git commands that talk to the customer's
repository (`sync`, `Integration.push`) are given its credentials.
"""

import asyncio
import hashlib
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

from devteam_git.credentials import Credentials, credential_env, redact_git
from devteam_git.errors import GitError, InvalidInputError, RemoteError
from devteam_git.refs import SAFE_ID
from devteam_git.run import UPLOAD_PACK, GitResult, git

# Serialises git work on one mirror inside this process (fetches and ref updates of projects
# sharing a repository); git's own ref locks cover other processes.
_MIRROR_LOCKS: dict[Path, asyncio.Lock] = {}


class Mirror:
    """The mirror of one repository for one tenant: fetched from the customer's repository,
    read without a working tree."""

    def __init__(
        self, data_dir: Path, tenant: str, repo_url: str, credentials: Credentials | None = None
    ) -> None:
        if not SAFE_ID.match(tenant):
            raise InvalidInputError("tenant ids must be safe ids")
        self.data_dir = data_dir
        self.repo_url = repo_url
        self.credentials = credentials
        key = hashlib.sha256(repo_url.encode()).hexdigest()[:16]
        self.mirror = data_dir / "mirrors" / tenant / f"{key}.git"

    async def _remote(self, args: list[str], *, check: bool = True) -> GitResult:
        """A git command that talks to the customer's repository: credentials go in through
        the environment only, and whatever git says comes back redacted."""
        scratch = self.data_dir / "tmp"
        await asyncio.to_thread(scratch.mkdir, parents=True, exist_ok=True)
        known_hosts = self.data_dir / "known_hosts"
        with credential_env(self.credentials, scratch, known_hosts=known_hosts) as env:
            try:
                result = await git(args, self.mirror, check=check, env=env)
            except GitError as exc:  # the remote's failure: worth retrying later
                raise RemoteError(redact_git(str(exc), self.credentials)) from None
        return GitResult(result.code, result.out, redact_git(result.stderr, self.credentials))

    def _lock(self) -> asyncio.Lock:
        return _MIRROR_LOCKS.setdefault(self.mirror, asyncio.Lock())

    async def sync(self, branch: str) -> str:
        """Create the mirror if needed, fetch the target branch, return its commit SHA.

        The mirror is fetched, never re-cloned; the target lives at `refs/remotes/origin/<b>`.
        """
        await self._fetch(branch, missing_ok=False)
        return await self.rev_parse(f"refs/remotes/origin/{branch}")

    async def sync_present(self, branch: str) -> str | None:
        """`sync`, or None when the repository has no `branch` (yet): a run's own branch."""
        if not await self._fetch(branch, missing_ok=True):
            return None
        return await self.rev_parse(f"refs/remotes/origin/{branch}")

    async def _fetch(self, branch: str, *, missing_ok: bool) -> bool:
        async with self._lock():
            if not (self.mirror / "HEAD").exists():
                await self._create_mirror()
            result = await self._remote(
                [
                    "fetch",
                    "--quiet",
                    "--prune",
                    "--no-tags",
                    "--no-recurse-submodules",
                    f"--upload-pack={UPLOAD_PACK}",
                    "origin",
                    f"+refs/heads/{branch}:refs/remotes/origin/{branch}",
                ],
                check=False,
            )
        if result.code != 0:
            if missing_ok and "couldn't find remote ref" in result.stderr:
                return False
            detail = result.stderr.strip()[-500:]
            raise RemoteError(f"git fetch failed (exit {result.code}): {detail}", result.stderr)
        return True

    async def fetch_base(self, base: str, branches: Sequence[str]) -> bool:
        """Fetch `branches` in turn (those the repository has) until the mirror holds `base`;
        whether it does."""
        for branch in branches:
            if await self.has_commit(base):
                return True
            await self.sync_present(branch)
        return await self.has_commit(base)

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

    async def changed_between(self, base: str, tip: str) -> list[str]:
        """Paths that differ between two commits (read from the mirror)."""
        out = await git(["diff", "--name-only", "-z", base, tip, "--"], self.mirror)
        return [p for p in out.stdout.split("\0") if p]

    async def commit_message(self, commit: str) -> str:
        """The full message of a commit (ending in exactly one newline)."""
        out = await git(["log", "-1", "--format=%B", commit], self.mirror)
        return out.stdout.rstrip("\n") + "\n"
