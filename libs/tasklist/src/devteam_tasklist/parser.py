"""Reading a task list: a line scanner that knows enough markdown block structure.

It follows fenced code blocks, HTML comments and block quotes (whose checkboxes are not tasks),
nesting by indentation (tabs to the next multiple of 4) and the body lines of each item, and it
records for every task the exact offset of its checkbox in the original text so that a tick can
change that one character and nothing else.
"""

import re

from devteam_tasklist.dependencies import check_dependencies
from devteam_tasklist.errors import DuplicateIdError
from devteam_tasklist.model import Notice, Task, TaskList, state_of
from devteam_tasklist.titles import TitleLine, leading_id, split_title

_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
_TASK = re.compile(r"[-*+][ \t]+\[([^\r\n])\](?=[ \t]|$)")
_ORDERED_TASK = re.compile(r"[0-9]{1,9}[.)][ \t]+\[[^\r\n]\](?=[ \t]|$)")
_FENCE = re.compile(r"(?P<fence>`{3,}|~{3,})(?P<info>.*)")
# Lines that start a block of their own and so never continue a paragraph lazily: headings,
# quotes, HTML comments, list items, fences and thematic breaks.
_NOT_PARAGRAPH = re.compile(
    r"#|>|<!--|(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]|$)|`{3,}|~{3,}"
    r"|(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$"
)
BOM = "\ufeff"
TAB_WIDTH = 4


class _Draft:
    """A task while the document is being read (mutable; becomes a `Task` at the end)."""

    __slots__ = (
        "body",
        "box_offset",
        "children",
        "depth",
        "indent",
        "line",
        "mark",
        "parent",
        "position",
        "rest",
        "task_id",
    )

    def __init__(
        self,
        line: int,
        indent: int,
        mark: str,
        box_offset: int,
        rest: str,
        parent: "_Draft | None",
        depth: int,
        position: str,
    ) -> None:
        self.line = line
        self.indent = indent
        self.mark = mark
        self.box_offset = box_offset
        self.rest = rest
        self.parent = parent
        self.depth = depth
        self.position = position
        self.children: list[_Draft] = []
        self.body: list[str] = []
        self.task_id = ""


def _width(whitespace: str) -> int:
    if "\t" not in whitespace:
        return len(whitespace)
    width = 0
    for char in whitespace:
        width = (width // TAB_WIDTH + 1) * TAB_WIDTH if char == "\t" else width + 1
    return width


def _opens_fence(stripped: str) -> tuple[str, int] | None:
    match = _FENCE.match(stripped)
    if match is None:
        return None
    fence = match.group("fence")
    # A backtick line with another backtick after the fence is inline code, not a fence.
    if fence[0] == "`" and "`" in match.group("info"):
        return None
    return fence[0], len(fence)


def _closes_fence(line: str, fence: tuple[str, int]) -> bool:
    stripped = line.lstrip(" \t")
    char, length = fence
    run = len(stripped) - len(stripped.lstrip(char))
    return run >= length and not stripped[run:].strip(" \t")


def _opens_comment(stripped: str) -> bool:
    # Only a comment that starts a line is an HTML block that can hide list items; "<!--" later
    # in a line is inline and the next list item ends it anyway (block structure comes first).
    if not stripped.startswith("<!--"):
        return False
    return "-->" not in stripped[stripped.rfind("<!--") + 4 :]


def _scan_lines(text: str) -> tuple[list[_Draft], list[Notice]]:
    """Find the tasks, their nesting and their bodies. One pass, no recursion.

    Written as one loop with local variables because it runs once per line of the document and
    the benchmark list has ~10,000 lines; the helpers above handle the rare line kinds.
    """
    drafts: list[_Draft] = []
    notices: list[Notice] = []
    stack: list[_Draft] = []  # the open items, outermost first; indentation grows along it
    pending_blanks: list[str] = []  # held back until we know whether the item goes on after them
    top_level = 0
    fence: tuple[str, int] | None = None
    in_comment = False
    block_owner: _Draft | None = None  # the task whose body a fence or comment belongs to
    paragraph_owner: _Draft | None = None  # the task whose paragraph the last line continued
    # The BOM is skipped once here; offsets stay those of the original text.
    base = 1 if text.startswith(BOM) else 0
    parts = _LINE_BREAK.split(text[base:] if base else text)
    if not parts[-1]:
        parts.pop()  # the text ends with a line break: there is no line after it
    else:
        parts.append("")
    offset = base
    number = 0
    # parts alternate a line's content and its line break ("" for the last line without one).
    for index in range(0, len(parts), 2):
        line = content = parts[index]
        number += 1
        line_offset = offset
        offset += len(content) + len(parts[index + 1])
        if fence is not None or in_comment:
            if fence is not None:
                if _closes_fence(line, fence):
                    fence = None
            else:
                in_comment = "-->" not in line
            if block_owner is not None:
                if block_owner.body:
                    block_owner.body.extend(pending_blanks)
                block_owner.body.append(content)
            pending_blanks.clear()
            continue
        stripped = line.lstrip(" \t")
        if not stripped:
            pending_blanks.append(content)
            paragraph_owner = None
            continue
        lead = len(line) - len(stripped)
        indent = _width(line[:lead]) if lead else 0
        first = stripped[0]
        if first in "-*+" and (match := _TASK.match(stripped)) is not None:
            while stack and stack[-1].indent >= indent:
                stack.pop()
            parent = stack[-1] if stack else None
            if parent is None:
                top_level += 1
                position, depth = str(top_level), 0
            else:
                position = f"{parent.position}.{len(parent.children) + 1}"
                depth = parent.depth + 1
            draft = _Draft(
                number,
                indent,
                match.group(1),
                line_offset + lead + match.start(1),
                stripped[match.end() :],
                parent,
                depth,
                position,
            )
            if parent is not None:
                parent.children.append(draft)
            drafts.append(draft)
            stack.append(draft)
            pending_blanks.clear()
            paragraph_owner = draft
            continue
        paragraph = _NOT_PARAGRAPH.match(stripped) is None
        if paragraph and paragraph_owner is not None and stack[0].indent >= indent:
            # Markdown's lazy continuation: an unindented line right after an item's text
            # still belongs to it. Only used when indentation names no task at all, since
            # people indent to say where a line belongs.
            owner: _Draft | None = paragraph_owner
        else:
            while stack and stack[-1].indent >= indent:
                stack.pop()
            owner = stack[-1] if stack else None
            paragraph_owner = owner if paragraph else None
        if owner is not None:
            if owner.body:
                owner.body.extend(pending_blanks)
            owner.body.append(content)
        pending_blanks.clear()
        if paragraph:
            continue
        if first in "`~" and (opened := _opens_fence(stripped)) is not None:
            fence, block_owner = opened, owner
        elif first == "<" and _opens_comment(stripped):
            in_comment, block_owner = True, owner
        elif "0" <= first <= "9" and _ORDERED_TASK.match(stripped):
            notices.append(
                Notice(
                    number,
                    "a numbered list item with a checkbox is not a task (tasks are '-', '*' or "
                    "'+' items); change its marker to '-' to make it one",
                )
            )
    return drafts, notices


def _assign_ids(drafts: list[_Draft], titles: list[TitleLine]) -> tuple[list[bool], list[Notice]]:
    explicit: dict[str, list[int]] = {}
    for draft, title in zip(drafts, titles, strict=True):
        if title.explicit_id is not None:
            explicit.setdefault(title.explicit_id, []).append(draft.line)
    for task_id, lines in explicit.items():
        if len(lines) > 1:
            raise DuplicateIdError(task_id, tuple(lines))
    derived_flags: list[bool] = []
    notices: list[Notice] = []
    for draft, title in zip(drafts, titles, strict=True):
        derived_flags.append(title.explicit_id is None)
        if title.explicit_id is not None:
            draft.task_id = title.explicit_id
            continue
        # Positions are unique in the tree; an explicit id never starts with "~", so the prefix
        # keeps a derived id apart from an explicit one that happens to spell the same path.
        derived = draft.position if draft.position not in explicit else "~" + draft.position
        draft.task_id = derived
        notices.append(
            Notice(
                draft.line,
                f"task has no id, so it is called {derived!r} by its place in the list; write an "
                "id such as '1.2' or 'T-12' first in its title to keep it stable",
            )
        )
    return derived_flags, notices


def scan(text: str, *, structure_only: bool = False) -> TaskList:
    """Parse the structure of a task list without checking its dependencies.

    Used where dependencies do not matter (a tick); `parse` is the same plus the dependency
    checks. With `structure_only` titles, bodies and markers are left empty, which is all a
    tick needs and saves a third of the time. Raises `DuplicateIdError` when two tasks carry
    the same explicit id.
    """
    drafts, scan_notices = _scan_lines(text)
    if structure_only:
        titles = [TitleLine(leading_id(draft.rest), "", (), (), ()) for draft in drafts]
        for draft in drafts:
            draft.body = []
    else:
        titles = [split_title(draft.rest) for draft in drafts]
    derived_flags, id_notices = _assign_ids(drafts, titles)
    tasks: list[Task] = []
    append = tasks.append
    for draft, title, derived in zip(drafts, titles, derived_flags, strict=True):
        parent = draft.parent
        children = draft.children
        mark = draft.mark
        # Positional arguments in field order: this runs once per task.
        append(
            Task(
                draft.task_id,
                derived,
                title.title,
                "\n".join(draft.body) if draft.body else "",
                state_of(mark),
                mark,
                draft.depth,
                draft.line,
                parent.task_id if parent is not None else None,
                tuple([child.task_id for child in children]) if children else (),
                title.depends,
                title.verify,
                title.markers,
                draft.box_offset,
                draft.indent,
            )
        )
    notices = sorted(scan_notices + id_notices, key=lambda notice: notice.line)
    return TaskList(tuple(tasks), tuple(notices))


def parse(text: str) -> TaskList:
    """Parse a task list (markdown text) into its tasks, and check their dependencies.

    Pass the text exactly as read (decode bytes yourself or open with `newline=""`) so that the
    offsets it records match what `tick` will later change. Any text is accepted; the only
    exceptions are `TaskListError` subclasses: `DuplicateIdError`, `UnknownDependencyError` and
    `DependencyCycleError`, each naming the line(s) to fix. Checkboxes inside fenced code, HTML
    comments and block quotes are not tasks; numbered items with a checkbox are reported as
    notices rather than silently taken or dropped.
    """
    tasklist = scan(text)
    check_dependencies(tasklist)
    return tasklist
