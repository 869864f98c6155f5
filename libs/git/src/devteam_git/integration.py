"""A task's integration into the customer's branch: one commit, re-created on top of the
branch if it moved (never forced), found again if an earlier delivery already landed it, and
pushed fast-forward only."""

import uuid
from pathlib import Path

from devteam_git.errors import GitError, MergeConflictError, PushRejectedError, RemoteError
from devteam_git.mirror import Mirror
from devteam_git.run import RECEIVE_PACK, git


class Integration(Mirror):
    """A mirror's part in landing a task: replay, the landed check and the push."""

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

    async def push(self, commit: str, branch: str) -> None:
        """Push `commit` to the customer repository's `branch` (fast-forward only).

        `PushRejectedError` when the branch moved (fetch, replay, retry); `RemoteError` for
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
            error = PushRejectedError if moved else RemoteError
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
