"""Names the runner gives to what it keeps in a repository: a task's branch and the hand-over
refs of its attempts, and the checks of the ids and branch names they are built from."""

import re

from devteam_git.errors import InvalidInputError
from devteam_git.run import git

# Tenant, project and run ids: they become path components and ref components.
SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# Task ids as the task list writes them (`12`, `#12`, `~1.2`), before `task_slug`.
TASK_ID = re.compile(r"^[A-Za-z0-9#~][A-Za-z0-9#._~-]{0,63}$")
BRANCH_PREFIX = "devteam/"
# Where a bundle's commits are kept in a mirror: refs/devteam/<run>/<task>/<attempt>.
HANDOVER_PREFIX = "refs/devteam/"


def task_branch(run_id: str, task_id: str) -> str:
    """Branch a task is implemented on."""
    return f"devteam/{run_id}/{task_slug(task_id)}"


def handover_ref(run_id: str, task_id: str, attempt: int) -> str:
    """Ref that holds the commits of one attempt, in the bundle and in every mirror."""
    return f"{HANDOVER_PREFIX}{run_id}/{task_slug(task_id)}/{attempt}"


def task_slug(task_id: str) -> str:
    """Task id as a path/ref component: `#12` → `12`, `~1.2` → `d1.2` (`~` is not allowed in
    ref names), dots kept but never doubled or at the ends."""
    slug = task_id.replace("#", "").replace("~", "d")
    while ".." in slug:
        slug = slug.replace("..", ".")
    return slug.strip(".") or "task"


async def check_branch_name(name: str) -> None:
    """Refuse names git itself would refuse (checked with git's own rules)."""
    if name.startswith("-") or name == "@" or "@{" in name:
        raise InvalidInputError(f"not a valid branch name: {name!r}")
    # The full-ref form: `--branch` would expand `@{-1}`-style shorthands instead of refusing.
    result = await git(["check-ref-format", f"refs/heads/{name}"], check=False)
    if result.code != 0:
        raise InvalidInputError(f"not a valid branch name: {name!r}")
