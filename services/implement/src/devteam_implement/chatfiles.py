"""The files a task names, put in Aider's chat from the start so the model's first answer can
already be the edit (without them it can only ask for the files, which costs a round trip).

A task names files in its title and body (`calc.py`, `tests/test_add.py`); a repair also names
the files in the failed check's output. Existing regular files inside the tree are editable,
or read-only when a protected glob matches them; a file that does not exist yet is added when
its directory exists (a root-level one only when written in backticks), so the model knows
where the new code goes. The task list is never among them: only DevTeam Runner edits it.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from devteam_implement.protected import protected_paths

MAX_CHAT_FILES = 20
MAX_FILE_BYTES = 512 * 1024
_CANDIDATE = re.compile(r"[\w@+.-]+(?:/[\w@+.-]+)*")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,7}$")
_BACKTICKED = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True)
class Named:
    """A path a text names, and whether it was written as code (in backticks)."""

    path: str
    backticked: bool


def named_paths(text: str) -> list[Named]:
    """Paths in `text` that look like files (a name with an extension), in order, once each.

    No I/O: whether they exist is decided by `chat_files`. URLs, absolute paths and anything
    with `..` are not paths of the repository.
    """
    backticked = {m.group(1).strip() for m in _BACKTICKED.finditer(text)}
    found: dict[str, Named] = {}
    for match in _CANDIDATE.finditer(text):
        start, end = match.span()
        if text.startswith("://", end) or (start > 0 and text[start - 1] in "/:\\~$"):
            continue  # part of a URL, an absolute path or a variable
        path = match.group().rstrip(".")
        parts = path.split("/")
        if (
            not _EXTENSION.search(parts[-1])
            or parts[-1].rsplit(".", 1)[0].strip(".") == ""
            or any(p in ("", ".", "..") or p.startswith("-") for p in parts)
            or path in found
        ):
            continue
        found[path] = Named(path, path in backticked)
    return list(found.values())


@dataclass(frozen=True)
class ChatFiles:
    """What Aider gets in its chat: editable files, read-only files, and the new ones among the
    editable (which Aider creates empty; unused ones are removed again after the attempt)."""

    editable: list[str] = field(default_factory=list)
    read_only: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)


def _has_link(tree: Path, rel: Path) -> bool:
    # No symlinks anywhere on the path: one could point Aider (and so the model) at a file
    # outside the tree, another tenant's or the worker's own.
    return any(tree.joinpath(*rel.parts[:i]).is_symlink() for i in range(1, len(rel.parts) + 1))


def _regular_file(tree: Path, rel: Path) -> bool:
    path = tree / rel
    return not _has_link(tree, rel) and path.is_file() and path.stat().st_size <= MAX_FILE_BYTES


def _may_create(tree: Path, rel: Path, backticked: bool) -> bool:
    if _has_link(tree, rel) or (tree / rel).exists():
        return False
    return backticked if rel.parent == Path(".") else (tree / rel.parent).is_dir()


def chat_files(
    tree: Path,
    task_text: str,
    tasks_file: str,
    protected: list[str],
    check_output: str = "",
) -> ChatFiles:
    """Decide the chat files of one attempt (blocking file-system checks: run in a thread)."""
    tree = tree.resolve()
    editable: list[str] = []
    read_only: list[str] = []
    new: list[str] = []
    candidates = [(n, True) for n in named_paths(task_text)]
    candidates += [(n, False) for n in named_paths(check_output)]  # existing files only
    seen: set[str] = set()
    for named, may_create in candidates:
        path = named.path
        if path in seen or path == tasks_file or path.split("/")[0] == ".git":
            continue
        seen.add(path)
        is_protected = bool(protected_paths([path], protected))
        if _regular_file(tree, Path(path)):
            (read_only if is_protected else editable).append(path)
        elif may_create and not is_protected and _may_create(tree, Path(path), named.backticked):
            editable.append(path)
            new.append(path)
        if len(editable) >= MAX_CHAT_FILES:
            break
    return ChatFiles(editable=editable, read_only=read_only[:MAX_CHAT_FILES], new=new)
