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

`Workspace` composes the parts, each in a module of its own: `mirror` (the bare mirror: fetch
and reads), `handover` (bundles between stages), `integration` (replay, the landed check, the
push and COMPLETE's squash commit) and `tree` (the project's working tree); the names of
branches and refs are in `refs`, a task's changes in a tree in `changes`, and the garbage
collection of old refs in `maintenance`. This module re-exports what callers import from it.
"""

from pathlib import Path

from devteam_contracts.commands import TaskCommand
from devteam_contracts.projects import Project
from devteam_git.changes import changed_paths, commit_all, dirty_paths, head
from devteam_git.handover import BundleGetter, BundleSource, Handover
from devteam_git.integration import Integration, squash_commit
from devteam_git.maintenance import collect_all_garbage, collect_garbage
from devteam_git.refs import (
    BRANCH_PREFIX,
    HANDOVER_PREFIX,
    check_branch_name,
    handover_ref,
    task_branch,
    task_slug,
)
from devteam_git.settings import SecretLookup, WorkspaceSettings, credentials_for
from devteam_git.tree import ProjectTree
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


class Workspace(ProjectTree, Handover, Integration):
    """The mirror and working tree of one project: the mirror's reads (`Mirror`), the
    hand-over of commits between stages (`Handover`), the integration of a task
    (`Integration`) and the project's tree (`ProjectTree`)."""

    @classmethod
    async def open(
        cls, settings: WorkspaceSettings, project: Project, lookup: SecretLookup
    ) -> "Workspace":
        """The workspace of a registered project in this process's data directory (its URL
        validated again here), with the project's credentials resolved now through `lookup`
        (the command's tenant's secrets)."""
        url = normalize_repo_url(project.repo_url, settings.schemes)
        credentials = await credentials_for(project, lookup)
        return cls(settings.data_dir, project.tenant, project.id, url, credentials)

    async def checkout_task_commit(
        self, cmd: TaskCommand, sha: str, attempt: int, bundles: BundleGetter
    ) -> Path:
        """This process's tree of the project, clean, on `cmd`'s task branch at `sha` (the
        base, or a commit attempt `attempt` made, imported from its bundle if need be)."""
        await self.ensure_task_commit(cmd, sha, attempt, bundles)
        tree = await self.prepare(cmd.run_id, cmd.task.id, sha, submodules=cmd.config.submodules)
        return tree.resolve()
