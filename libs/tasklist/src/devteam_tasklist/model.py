"""The parsed task list: immutable tasks in document order, looked up by id."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from devteam_tasklist.errors import UnknownTaskError

TaskState = Literal["open", "done", "skipped"]

DONE_MARKS = frozenset("xX")
OPEN_MARK = " "
# The state of each mark but the skipped ones (any other character is skipped).
STATES: dict[str, TaskState] = {OPEN_MARK: "open", "x": "done", "X": "done"}


class Task(NamedTuple):
    """One checkbox list item (immutable; a named tuple because a list holds thousands of them).

    `verify` holds the commands of its `verify:` markers, in order (usually none or one).
    `state` and `mark` describe the task's own box; whether a parent counts as done (its box is
    ticked or all its sub-tasks are done) is `TaskList.is_done`. `box_offset` is the index in the
    original text of the character inside the brackets, which is all a tick ever changes.
    """

    id: str
    id_derived: bool
    title: str
    body: str
    state: TaskState
    mark: str
    depth: int
    line: int
    parent: str | None
    children: tuple[str, ...]
    depends: tuple[str, ...]
    verify: tuple[str, ...]
    markers: tuple[tuple[str, str], ...]
    box_offset: int
    indent: int

    @property
    def is_leaf(self) -> bool:
        """True when the task has no checkbox sub-tasks: it is a unit of work, not a group."""
        return not self.children


@dataclass(frozen=True, slots=True)
class Notice:
    """Something worth telling the user that is not an error (e.g. a derived id)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class TaskList:
    """All tasks of a document in document order, with lookup by id and completion state."""

    tasks: tuple[Task, ...]
    notices: tuple[Notice, ...] = ()
    by_id: Mapping[str, Task] = field(init=False, repr=False, compare=False)
    done_ids: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {task.id: task for task in self.tasks}
        # Children always follow their parent in document order, so walking backwards settles
        # every child before its parent and no recursion is needed however deep the nesting.
        done: set[str] = set()
        for task in reversed(self.tasks):
            if task.mark in DONE_MARKS or (
                task.children and all(child in done for child in task.children)
            ):
                done.add(task.id)
        object.__setattr__(self, "by_id", by_id)
        object.__setattr__(self, "done_ids", frozenset(done))

    def __len__(self) -> int:
        return len(self.tasks)

    def __iter__(self) -> Iterator[Task]:
        return iter(self.tasks)

    def __contains__(self, task_id: object) -> bool:
        return task_id in self.by_id

    def __getitem__(self, task_id: str) -> Task:
        try:
            return self.by_id[task_id]
        except KeyError:
            raise UnknownTaskError(task_id) from None

    def get(self, task_id: str) -> Task | None:
        """The task with this id, or None."""
        return self.by_id.get(task_id)

    def is_done(self, task_id: str) -> bool:
        """Whether the task counts as done: its box is ticked, or it has sub-tasks and all are."""
        if task_id not in self.by_id:
            raise UnknownTaskError(task_id)
        return task_id in self.done_ids

    def ancestors(self, task_id: str) -> tuple[Task, ...]:
        """The task's parent, grandparent, … up to its top-level task (nearest first)."""
        out: list[Task] = []
        parent = self[task_id].parent
        while parent is not None:
            task = self.by_id[parent]
            out.append(task)
            parent = task.parent
        return tuple(out)

    def leaves(self) -> tuple[Task, ...]:
        """The tasks without sub-tasks, in document order."""
        return tuple(task for task in self.tasks if task.is_leaf)
