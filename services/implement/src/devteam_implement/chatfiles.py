"""The files of a task, put in Aider's chat from the start so the model's first answer can
already be the edit (without them it can only ask for the files, which costs a round trip).

A task names files in its title and body (`calc.py`, `tests/test_add.py`); a repair also names
the files in the failed check's output. Existing regular files inside the tree are editable,
or read-only when a protected glob matches them; a file that does not exist yet is added when
its directory exists (a root-level one only when written in backticks), so the model knows
where the new code goes. When the task names no source file, the repository's files are
ranked against it (`locate`) and the best few join the chat. The task list is never among
them: only DevTeam Runner edits it.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from devteam_contracts.runs import ChatFile
from devteam_implement import locate
from devteam_implement.protected import protected_paths

MAX_CHAT_FILES = 20
MAX_FILE_BYTES = 512 * 1024
# What ranking reads and adds: source files up to this size, this many at most, and what the
# files it chooses may add to the chat (characters; about 6k tokens).
MAX_RANKED_FILE_BYTES = 200 * 1024
MAX_RANKED_FILES = 5000
RANKED_BUDGET_CHARS = 24_000
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
    chosen: list[ChatFile] = field(default_factory=list)


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
    tracked: list[str] | None = None,
    previous: list[str] | None = None,
) -> ChatFiles:
    """Decide the chat files of one attempt (blocking file-system checks: run in a thread).
    `tracked`: the tree's tracked files, which ranking considers when the task names no
    source file; `previous`: on a repair, the files the attempts before it changed (the
    repair works on the same code, so they come first)."""
    tree = tree.resolve()
    editable: list[str] = []
    read_only: list[str] = []
    new: list[str] = []
    chosen: list[ChatFile] = []
    seen: set[str] = set()
    for path in previous or []:
        mine = path != tasks_file and not protected_paths([path], protected)
        if mine and path not in seen and _regular_file(tree, Path(path)):
            seen.add(path)
            editable.append(path)
            chosen.append(ChatFile(path=path, mode="editable", chosen_by="previous_attempt"))
    candidates = [(n, True) for n in named_paths(task_text)]
    candidates += [(n, False) for n in named_paths(check_output)]  # existing files only
    for named, may_create in candidates:
        path = named.path
        if path in seen or path == tasks_file or path.split("/")[0] == ".git":
            continue
        seen.add(path)
        is_protected = bool(protected_paths([path], protected))
        why = "named" if may_create else "check_output"
        if _regular_file(tree, Path(path)):
            mode = "read_only" if is_protected else "editable"
            (read_only if is_protected else editable).append(path)
            chosen.append(ChatFile(path=path, mode=mode, chosen_by=why))
        elif may_create and not is_protected and _may_create(tree, Path(path), named.backticked):
            editable.append(path)
            new.append(path)
            chosen.append(ChatFile(path=path, mode="new", chosen_by=why))
        if len(editable) >= MAX_CHAT_FILES:
            break
    if tracked and not any(locate.is_code(p) and not locate.is_test(p) for p in editable):
        for item in _ranked(tree, f"{task_text}\n{_failures(check_output)}", tracked, tasks_file):
            if item.path in seen:
                continue
            is_protected = bool(protected_paths([item.path], protected))
            if item.new:
                if is_protected or not _may_create(tree, Path(item.path), backticked=False):
                    continue
                editable.append(item.path)
                new.append(item.path)
                mode = "new"
            elif item.test or is_protected:
                read_only.append(item.path)
                mode = "read_only"
            else:
                editable.append(item.path)
                mode = "editable"
            chosen.append(ChatFile(path=item.path, mode=mode, chosen_by="ranked",
                                   score=item.score))  # fmt: skip
    return ChatFiles(
        editable=editable, read_only=read_only[:MAX_CHAT_FILES], new=new, chosen=chosen
    )


def _failures(output: str) -> str:
    """What of a failing check's output says what is wrong (error and assertion lines), not
    the noise around it (progress dots, summaries, paths of passing tests)."""
    lines = [line for line in output.splitlines()[-400:]
             if line.startswith("E ") or "Error" in line or "assert" in line]  # fmt: skip
    return "\n".join(lines[-40:])


def _ranked(tree: Path, query: str, tracked: list[str], tasks_file: str) -> list[locate.Ranked]:
    """The ranked files `locate.choose` picks, read from the tree (regular files only)."""
    texts: dict[str, str] = {}
    for rel in tracked[:MAX_RANKED_FILES]:
        if rel == tasks_file or not locate.is_code(rel):
            continue
        path = tree / rel
        if _has_link(tree, Path(rel)) or not path.is_file():
            continue
        if path.stat().st_size <= MAX_RANKED_FILE_BYTES:
            texts[rel] = path.read_text(encoding="utf-8", errors="replace")
    ranked = locate.rank(texts, query)
    sizes = {rel: len(text) for rel, text in texts.items()}
    return locate.choose(ranked, sizes, RANKED_BUDGET_CHARS)
