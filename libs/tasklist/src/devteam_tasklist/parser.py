"""Reading a task list: a line scanner that knows enough markdown block structure.

It follows fenced code blocks, HTML comments and block quotes (whose checkboxes are not tasks),
nesting by indentation (tabs to the next multiple of 4) and the body lines of each item, and it
records for every task the exact offset of its checkbox in the original text so that a tick can
change that one character and nothing else.
"""

import re

from devteam_tasklist.dependencies import check_dependencies
from devteam_tasklist.errors import DuplicateIdError
from devteam_tasklist.lines import indent_width, split_lines
from devteam_tasklist.model import STATES, Notice, Task, TaskList
from devteam_tasklist.titles import ID_PATTERN, split_markers

# A task line (after its indentation): the box's mark is group 1; the id that may follow the box
# is matched here too, so that reading a task line takes one match.
_TASK = re.compile(rf"[-*+][ \t]+\[([^\r\n])\](?=[ \t]|$)[ \t]*(?:{ID_PATTERN})?")
_ORDERED_TASK = re.compile(r"[0-9]{1,9}[.)][ \t]+\[[^\r\n]\](?=[ \t]|$)")
_FENCE = re.compile(r"(?P<fence>`{3,}|~{3,})(?P<info>.*)")
# Lines that start a block of their own and so never continue a paragraph lazily: headings,
# quotes, HTML comments, list items, fences and thematic breaks.
_NOT_PARAGRAPH = re.compile(
    r"#|>|<!--|(?:[-*+]|[0-9]{1,9}[.)])(?:[ \t]|$)|`{3,}|~{3,}"
    r"|(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$"
)
# The first characters _NOT_PARAGRAPH can match; any other line is a paragraph line, and most
# lines of a list are, so the pattern is tried only after this cheap test.
_BLOCK_STARTS = frozenset("#><-*+0123456789`~_")


class _Draft:
    """A task while the document is being read (mutable; becomes a `Task` at the end)."""

    __slots__ = (
        "body",
        "box_offset",
        "children",
        "depth",
        "explicit_id",
        "indent",
        "line",
        "mark",
        "ordinal",
        "parent",
        "rest",
        "task_id",
    )

    def __init__(
        self,
        line: int,
        indent: int,
        mark: str,
        box_offset: int,
        explicit_id: str | None,
        rest: str,
        parent: "_Draft | None",
        ordinal: int,
    ) -> None:
        self.line = line
        self.indent = indent
        self.mark = mark
        self.box_offset = box_offset
        self.explicit_id = explicit_id
        self.rest = rest  # the title line after the box and the id
        self.parent = parent
        self.ordinal = ordinal  # 1-based place among its siblings
        self.depth: int = parent.depth + 1 if parent is not None else 0
        self.children: list[_Draft] = []
        self.body: list[str] = []
        self.task_id = explicit_id or ""

    def position(self) -> str:
        """The task's path in the tree, e.g. "2.1.3": the id it gets when it has none."""
        ordinals: list[str] = []
        draft: _Draft | None = self
        while draft is not None:
            ordinals.append(str(draft.ordinal))
            draft = draft.parent
        return ".".join(reversed(ordinals))


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


def _scan_lines(text: str, *, keep_text: bool) -> tuple[list[_Draft], list[Notice]]:
    """Find the tasks, their nesting and (with `keep_text`) their bodies. One pass, no recursion.

    Written as one loop with local variables because it runs once per line of the document and
    the benchmark list has ~10,000 lines; the helpers above handle the rare line kinds. Without
    `keep_text` it skips what only a reader needs (bodies, titles), not what decides the nesting.
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
    lines, starts = split_lines(text)
    for number, line in enumerate(lines, 1):
        if fence is not None or in_comment:
            if fence is not None:
                if _closes_fence(line, fence):
                    fence = None
            else:
                in_comment = "-->" not in line
            if block_owner is not None and keep_text:
                if block_owner.body:
                    block_owner.body.extend(pending_blanks)
                block_owner.body.append(line)
            pending_blanks.clear()
            continue
        stripped = line.lstrip(" \t")
        if not stripped:
            if keep_text:
                pending_blanks.append(line)
            paragraph_owner = None
            continue
        lead = len(line) - len(stripped)
        indent = indent_width(line[:lead]) if lead and "\t" in line else lead
        first = stripped[0]
        if first in "-*+" and (match := _TASK.match(stripped)) is not None:
            while stack and stack[-1].indent >= indent:
                stack.pop()
            parent = stack[-1] if stack else None
            if parent is None:
                top_level += 1
                ordinal = top_level
            else:
                ordinal = len(parent.children) + 1
            draft = _Draft(
                number,
                indent,
                match.group(1),
                starts[number - 1] + lead + match.start(1),
                match.group("id"),
                stripped[match.end() :] if keep_text else "",
                parent,
                ordinal,
            )
            if parent is not None:
                parent.children.append(draft)
            drafts.append(draft)
            stack.append(draft)
            pending_blanks.clear()
            paragraph_owner = draft
            continue
        paragraph = first not in _BLOCK_STARTS or _NOT_PARAGRAPH.match(stripped) is None
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
        if owner is not None and keep_text:
            if owner.body:
                owner.body.extend(pending_blanks)
            owner.body.append(line)
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


def _assign_ids(drafts: list[_Draft]) -> list[Notice]:
    """Give each task without an explicit id one derived from its place, and say so.

    Raises `DuplicateIdError` for the first explicit id (in document order) used twice.
    """
    explicit = {draft.explicit_id for draft in drafts if draft.explicit_id is not None}
    if len(explicit) != sum(draft.explicit_id is not None for draft in drafts):
        _raise_duplicate(drafts)
    notices: list[Notice] = []
    for draft in drafts:
        if draft.explicit_id is not None:
            continue
        position = draft.position()
        # Positions are unique in the tree; an explicit id never starts with "~", so the prefix
        # keeps a derived id apart from an explicit one that happens to spell the same path.
        derived = position if position not in explicit else "~" + position
        draft.task_id = derived
        notices.append(
            Notice(
                draft.line,
                f"task has no id, so it is called {derived!r} by its place in the list; write an "
                "id such as '1.2' or 'T-12' first in its title to keep it stable",
            )
        )
    return notices


def _raise_duplicate(drafts: list[_Draft]) -> None:
    lines_of: dict[str, list[int]] = {}
    for draft in drafts:
        if draft.explicit_id is not None:
            lines_of.setdefault(draft.explicit_id, []).append(draft.line)
    for task_id, lines in lines_of.items():
        if len(lines) > 1:
            raise DuplicateIdError(task_id, tuple(lines))


def scan(text: str, *, structure_only: bool = False) -> TaskList:
    """Parse the structure of a task list without checking its dependencies.

    Used where dependencies do not matter (a tick); `parse` is the same plus the dependency
    checks. With `structure_only` titles, bodies and markers are left empty, which is all a
    tick needs and saves about a third of the time. Raises `DuplicateIdError` when two tasks
    carry the same explicit id.
    """
    drafts, scan_notices = _scan_lines(text, keep_text=not structure_only)
    id_notices = _assign_ids(drafts)
    tasks: list[Task] = []
    append = tasks.append
    # tuple.__new__ builds a Task as Task(...) does, without the Python-level __new__ that a
    # NamedTuple adds (a third of the cost, paid once per task). Arguments are in field order.
    new_tuple = tuple.__new__
    title = ""
    depends: tuple[str, ...] = ()
    verify: tuple[str, ...] = ()
    markers: tuple[tuple[str, str], ...] = ()
    for draft in drafts:
        parent = draft.parent
        children = draft.children
        mark = draft.mark
        if not structure_only:
            title, depends, verify, markers = split_markers(draft.rest)
        fields = (
            draft.task_id,
            draft.explicit_id is None,
            title,
            "\n".join(draft.body) if draft.body else "",
            STATES.get(mark, "skipped"),
            mark,
            draft.depth,
            draft.line,
            parent.task_id if parent is not None else None,
            tuple([child.task_id for child in children]) if children else (),
            depends,
            verify,
            markers,
            draft.box_offset,
            draft.indent,
        )
        append(new_tuple(Task, fields))
    notices = scan_notices + id_notices
    if notices:
        notices.sort(key=lambda notice: notice.line)
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
