"""What the fake forge keeps and passes around: pull requests, recorded requests, replies."""

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

GIT = shutil.which("git") or "git"

Kind = Literal["github", "gitlab", "gitea"]
KINDS: tuple[Kind, ...] = ("github", "gitlab", "gitea")
State = Literal["open", "closed", "merged"]


def now() -> str:
    """A timestamp as the forges write them (RFC 3339, UTC, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class PullRecord:
    """One pull request (GitLab: merge request) as the forge holds it."""

    kind: Kind
    repository: str  # "owner/name"
    number: int  # GitHub/Gitea number, GitLab iid
    id: int  # the forge-wide id
    title: str
    body: str
    head: str  # the branch name, without any "owner:"
    base: str
    state: State
    html_url: str
    head_sha: str
    base_sha: str
    bodies: list[str] = field(default_factory=list)  # every body it had, in order
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    closed_at: str | None = None
    merged_at: str | None = None
    merge_commit_sha: str | None = None

    def snapshot(self) -> "PullRecord":
        copy = PullRecord(**{**self.__dict__, "bodies": list(self.bodies)})
        return copy

    def set_body(self, body: str) -> None:
        if body != self.body or not self.bodies:
            self.bodies.append(body)
        self.body = body
        self.updated_at = now()

    def set_state(self, state: State) -> None:
        stamp = now()
        self.state = state
        self.updated_at = stamp
        self.closed_at = None if state == "open" else stamp
        if state == "merged":
            self.merged_at = stamp
            self.merge_commit_sha = self.head_sha


@dataclass(frozen=True)
class Recorded:
    """One request as the fake saw it (credentials never kept)."""

    kind: str  # "github" | "gitlab" | "gitea", or "" for no forge
    method: str
    path: str  # below the forge's API root, as sent (still percent-encoded)
    query: dict[str, str]
    body: Any  # the parsed JSON or form body, None when there was none
    headers: dict[str, str]  # every header but the credentials (names lowercase)
    authorized: bool
    status: int
    injected: bool  # answered by `fail_next`
    invalid: tuple[str, ...]  # this request's (and its response's) description mismatches


@dataclass
class Incoming:
    """A request, parsed."""

    kind: Kind
    method: str  # upper case
    path: str  # below the API root, percent-encoded as sent
    query: list[tuple[str, str]]
    headers: dict[str, str]  # names lowercase
    raw_body: bytes
    content_type: str
    body: Any = None  # parsed JSON (any forge) or form (GitLab) body

    def param(self, name: str) -> str | None:
        values = [value for key, value in self.query if key == name]
        return values[-1] if values else None

    def page(self, items: list[Any], size_param: str, default: int, most: int) -> list[Any]:
        """The page of `items` that `page` and `size_param` ask for (1-based, like the forges)."""
        size = min(max(_int(self.param(size_param), default), 1), most)
        number = max(_int(self.param("page"), 1), 1)
        return items[(number - 1) * size : number * size]


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


@dataclass
class Reply:
    status: int
    json: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    status: int
    json_body: Any
    headers: dict[str, str] = field(default_factory=dict)


def branch_sha(bare: Path, branch: str) -> str | None:
    """The commit `refs/heads/<branch>` points at in the bare repository, None when absent."""
    if not branch or branch.startswith("-"):
        return None
    done = subprocess.run(
        [
            GIT,
            "--git-dir",
            str(bare),
            "rev-parse",
            "--verify",
            "--quiet",
            f"refs/heads/{branch}^{{commit}}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def is_ancestor(bare: Path, ancestor: str, descendant: str) -> bool:
    done = subprocess.run(
        [GIT, "--git-dir", str(bare), "merge-base", "--is-ancestor", ancestor, descendant],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0
