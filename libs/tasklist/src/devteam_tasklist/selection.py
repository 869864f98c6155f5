"""SELECT: which task to do next, or why none can be done."""

from dataclasses import dataclass
from typing import Literal

from devteam_tasklist.model import OPEN_MARK, Task, TaskList

SelectionStatus = Literal["task", "complete", "blocked"]


@dataclass(frozen=True, slots=True)
class BlockedTask:
    """A leaf that is not done and cannot be picked, with everything that holds it back."""

    task_id: str
    line: int
    skipped: bool
    mark: str
    skipped_ancestors: tuple[str, ...]
    unmet_dependencies: tuple[str, ...]

    @property
    def reason(self) -> str:
        """What holds the task back, e.g. "it waits for 1.0 (not done)"."""
        parts: list[str] = []
        if self.skipped:
            parts.append(f"it is marked [{self.mark}] (skipped)")
        if self.skipped_ancestors:
            which = ", ".join(self.skipped_ancestors)
            parts.append(f"its parent task {which} is skipped")
        if self.unmet_dependencies:
            parts.append(f"it waits for {', '.join(self.unmet_dependencies)} (not done)")
        return "; ".join(parts)

    def __str__(self) -> str:
        return f"task {self.task_id} (line {self.line}): {self.reason}"


@dataclass(frozen=True, slots=True)
class Selection:
    """The outcome of SELECT.

    `status` is "task" (do `task` next), "complete" (every leaf is done) or "blocked" (leaves
    remain but none can be picked). `blocked` lists, in document order, every remaining leaf that
    cannot be picked and why, whatever the status, so a report can say what was passed over.
    """

    status: SelectionStatus
    task: Task | None
    blocked: tuple[BlockedTask, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """One sentence per blocked leaf: which task, on which line, waits for what."""
        return tuple(str(blocked) for blocked in self.blocked)


def select(tasklist: TaskList) -> Selection:
    """Pick the next task: the first open leaf with its dependencies done and no skipped ancestor.

    Depends markers on a parent hold back all of its sub-tasks. A target counts as done when its
    box is ticked or, for a parent, when all its sub-tasks are done. Skipped leaves (`[-]`, `[~]`,
    …) are never picked but keep the run from being complete. A parent whose sub-tasks are all done
    is done itself and never picked: its work is its sub-tasks.
    """
    done = tasklist.done_ids
    by_id = tasklist.by_id
    # Per task, settled parent-first in document order: unmet depends inherited from ancestors
    # and skipped ancestors. Iterative, so any nesting depth is fine.
    unmet: dict[str, tuple[str, ...]] = {}
    skipped_above: dict[str, tuple[str, ...]] = {}
    chosen: Task | None = None
    blocked: list[BlockedTask] = []
    for task in tasklist.tasks:
        if task.parent is None:
            inherited: tuple[str, ...] = ()
            above: tuple[str, ...] = ()
        else:
            parent = by_id[task.parent]
            inherited = unmet[parent.id]
            above = skipped_above[parent.id]
            if parent.state == "skipped":
                above = (*above, parent.id)
        waits = inherited
        # Most tasks have no depends marker; this skips building empty tuples for them.
        if task.depends:
            waits += tuple(dep for dep in task.depends if dep not in done and dep not in inherited)
        unmet[task.id] = waits
        skipped_above[task.id] = above
        if task.children or task.id in done:
            continue
        if task.mark == OPEN_MARK and not waits and not above:
            if chosen is None:
                chosen = task
            continue
        blocked.append(
            BlockedTask(
                task_id=task.id,
                line=task.line,
                skipped=task.state == "skipped",
                mark=task.mark,
                skipped_ancestors=above,
                unmet_dependencies=waits,
            )
        )
    if chosen is not None:
        return Selection("task", chosen, tuple(blocked))
    if blocked:
        return Selection("blocked", None, tuple(blocked))
    return Selection("complete", None, ())


def select_task(tasklist: TaskList, task_id: str) -> Task:
    """The task `task_id` if SELECT could pick it now (an open leaf, its dependencies done, no
    skipped ancestor); `ValueError` saying why not otherwise."""
    task = tasklist.by_id.get(task_id)
    if task is None:
        raise ValueError(f"the task list has no task {task_id}")
    if task.children:
        raise ValueError(f"task {task_id} has sub-tasks: ask for one of them")
    if task_id in tasklist.done_ids:
        raise ValueError(f"task {task_id} is done already")
    for blocked in select(tasklist).blocked:
        if blocked.task_id == task_id:
            raise ValueError(str(blocked))
    return task
