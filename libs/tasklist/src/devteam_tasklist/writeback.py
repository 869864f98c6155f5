"""COMPLETE: marking a task done by changing the one character inside its box."""

from dataclasses import dataclass

from devteam_tasklist.errors import TaskStateError
from devteam_tasklist.model import DONE_MARKS, OPEN_MARK, TaskList
from devteam_tasklist.parser import scan

DONE_MARK = "x"


@dataclass(frozen=True, slots=True)
class TickResult:
    """The new text and the ids whose box changed (the task first, then completed parents)."""

    text: str
    ticked: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """False when the task was already done and the text is returned unchanged."""
        return bool(self.ticked)


def plan_tick(tasklist: TaskList, task_id: str) -> tuple[str, ...]:
    """The ids whose box a tick of `task_id` would change, without changing anything.

    Empty when the task's box is already ticked (ticking is idempotent, since a stage may be
    delivered twice). Otherwise the task itself, then each parent that the tick completes, going
    up while a parent goes from not done to done; a parent's box is ticked only if it is open
    (a person's `[-]` on it is left as it is). Raises `UnknownTaskError` for an unknown id and
    `TaskStateError` for a skipped task or one with sub-tasks that are not all done.
    """
    task = tasklist[task_id]
    if task.mark in DONE_MARKS:
        return ()
    if task.mark != OPEN_MARK:
        raise TaskStateError(
            f"task {task.id} is marked [{task.mark}] (skipped by a person), so it is not marked "
            "done automatically; tick it by hand if it is finished",
            task.line,
        )
    done = tasklist.done_ids
    pending = [child for child in task.children if child not in done]
    if pending:
        raise TaskStateError(
            f"task {task.id} has sub-tasks that are not done ({', '.join(pending)}); "
            "tick those instead and it is ticked with the last of them",
            task.line,
        )
    ticked = [task.id]
    now_done = set(done)
    now_done.add(task.id)
    was_done = task.id in done  # an open parent whose sub-tasks were all done already
    parent_id = task.parent
    while parent_id is not None and not was_done:
        parent = tasklist.by_id[parent_id]
        was_done = parent_id in done
        if was_done or not all(child in now_done for child in parent.children):
            break
        now_done.add(parent_id)
        if parent.mark == OPEN_MARK:
            ticked.append(parent_id)
        parent_id = parent.parent
    return tuple(ticked)


def apply_tick(text: str, task_id: str) -> TickResult:
    """Mark `task_id` done in `text` and say which boxes changed (see `plan_tick`).

    Each changed box is one character, ' ' → 'x'; every other character of the text, line
    endings, BOM and a missing final newline included, is returned as it was. Dependencies are
    not checked (a tick never depends on them); duplicate ids raise `DuplicateIdError`.
    """
    tasklist = scan(text, structure_only=True)
    ticked = plan_tick(tasklist, task_id)
    if not ticked:
        return TickResult(text, ())
    offsets = sorted(tasklist.by_id[tid].box_offset for tid in ticked)
    pieces: list[str] = []
    previous = 0
    for offset in offsets:
        pieces.append(text[previous:offset])
        pieces.append(DONE_MARK)
        previous = offset + 1
    pieces.append(text[previous:])
    return TickResult("".join(pieces), ticked)


def tick(text: str, task_id: str) -> str:
    """Return `text` with `task_id` marked done, and any parent it completes; see `apply_tick`.

    Idempotent: ticking a task that is already done returns the text unchanged.
    """
    return apply_tick(text, task_id).text
