"""Commits handed over from stage to stage: an attempt's commits go out as a git bundle under
the attempt's hand-over ref, and come into another process's mirror from that bundle.

No process reads another's files: the bundle travels through NATS, and the commit the work
was made on (its prerequisite) every stage fetches from the customer's repository itself.
"""

from collections.abc import Awaitable, Callable, Sequence

from devteam_contracts.commands import TaskCommand
from devteam_git.errors import GitError
from devteam_git.mirror import Mirror
from devteam_git.refs import handover_ref
from devteam_git.run import git

BundleSource = Callable[[], Awaitable[bytes | None]]
# (run, task, attempt) → that attempt's bundle, e.g. `BundleStore.get`
BundleGetter = Callable[[str, str, int, str], Awaitable[bytes | None]]  # run, task, attempt, head


def base_branches(cmd: TaskCommand) -> list[str]:
    """Where the base of `cmd`'s task is: the run's branch (once it has one), the target."""
    land = cmd.config.land_branch
    return [land, cmd.config.target_branch] if land else [cmd.config.target_branch]


class Handover(Mirror):
    """A mirror's bundles: made of an attempt's commits, and imported from another stage's."""

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
        branches: Sequence[str],
        handover: tuple[str, BundleSource] | None = None,
    ) -> None:
        """Make sure the mirror holds `sha`: fetch `branches` (the run's, the target) when
        even `base` is missing, then, when `sha` is a commit another stage made on top of
        `base`, import it from `handover` (the hand-over ref and a source of its bundle).

        `GitError` when the commit cannot be had (the bundle is gone, or `base` is no longer
        in the customer's repository).
        """
        if await self.has_commit(sha):
            return
        if not await self.fetch_base(base, branches):
            raise GitError(f"commit {base[:12]} is no longer on {' or '.join(branches)}")
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
            branches=base_branches(cmd),
            handover=(handover_ref(cmd.run_id, cmd.task.id, attempt), source),
        )
