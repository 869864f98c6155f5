"""The task list (`tasks_list.md`): parse it, pick the next task, mark tasks done.

Pure functions on text: no I/O. `parse` reads the tasks, `select` picks the next one (or says the
list is complete or blocked and why), `tick`/`apply_tick` mark one done by changing the single
character inside its box (and the boxes of parents it completes), leaving every other byte alone.
"""

from devteam_tasklist.dependencies import check_dependencies
from devteam_tasklist.errors import (
    DependencyCycleError,
    DuplicateIdError,
    TaskListError,
    TaskStateError,
    UnknownDependencyError,
    UnknownTaskError,
)
from devteam_tasklist.model import Notice, Task, TaskList, TaskState
from devteam_tasklist.parser import parse, scan
from devteam_tasklist.selection import BlockedTask, Selection, SelectionStatus, select
from devteam_tasklist.writeback import TickResult, apply_tick, plan_tick, tick

__all__ = [
    "BlockedTask",
    "DependencyCycleError",
    "DuplicateIdError",
    "Notice",
    "Selection",
    "SelectionStatus",
    "Task",
    "TaskList",
    "TaskListError",
    "TaskState",
    "TaskStateError",
    "TickResult",
    "UnknownDependencyError",
    "UnknownTaskError",
    "apply_tick",
    "check_dependencies",
    "parse",
    "plan_tick",
    "scan",
    "select",
    "tick",
]
