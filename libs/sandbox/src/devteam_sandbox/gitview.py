"""What a box shows of the project's repository: enough for git to work in the worktree
(`git diff`, `git log`, `git describe --always`, setuptools-scm), nothing of the mirror besides.

The worktree's `.git` names `<mirror>/worktrees/<name>`, so git inside the box looks for the
mirror at its own path. There the box gets an empty directory holding only: the mirror's
objects (read-only), this tree's own state (`worktrees/<name>`, read-only, its HEAD detached at
the tree's commit), an empty `refs/` and a minimal `config` and `HEAD` of the box's own. No
other ref (other runs' branches, hand-over refs), no configuration (the remote's URL), no
other tree's state.
"""

from dataclasses import dataclass
from pathlib import Path

CONFIG = "[core]\n\trepositoryformatversion = 0\n\tbare = true\n"


@dataclass(frozen=True)
class GitView:
    """The pieces of one tree's repository a box shows, and where."""

    mirror: Path  # where the repository appears (its real path)
    admin: Path  # this tree's state, `<mirror>/worktrees/<name>`
    files: Path  # the box's own config, HEAD, refs/ and the tree's detached HEAD

    def binds(self) -> list[tuple[Path, Path]]:
        """(source, destination) pairs, read-only, in mount order, on an empty `mirror`."""
        return [
            (self.mirror / "objects", self.mirror / "objects"),
            (self.files / "refs", self.mirror / "refs"),
            (self.files / "config", self.mirror / "config"),
            (self.files / "HEAD", self.mirror / "HEAD"),
            (self.admin, self.admin),
            (self.files / "tree-HEAD", self.admin / "HEAD"),
        ]


def make_view(gitdir: Path, head: str, files: Path) -> GitView:
    """The view of a linked worktree whose git directory is `gitdir`
    (`<mirror>/worktrees/<name>`) and whose commit is `head`, its files written under
    `files`."""
    (files / "refs" / "heads").mkdir(parents=True)
    (files / "refs" / "tags").mkdir()
    for name, text in (("config", CONFIG), ("HEAD", f"{head}\n"), ("tree-HEAD", f"{head}\n")):
        (files / name).write_text(text)
        (files / name).chmod(0o644)
    return GitView(gitdir.parent.parent, gitdir, files)
