"""Errors of the task-list library: each names the line to look at and what to change there."""


class TaskListError(Exception):
    """Something in the task list must be fixed by a person before the run can go on.

    `line` is the 1-based line to look at (None when no single line is at fault, e.g. an id that
    is in no line at all); `lines` are all the lines involved, in ascending order.
    """

    def __init__(self, message: str, line: int | None, lines: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.lines = lines if lines else ((line,) if line is not None else ())

    def __str__(self) -> str:
        # KeyError (a base of UnknownTaskError) would otherwise repr() the message.
        if self.line is None:
            return self.message
        return f"line {self.line}: {self.message}"


class DuplicateIdError(TaskListError):
    """Two tasks carry the same id, so depends markers and ticks could not tell them apart."""

    def __init__(self, task_id: str, lines: tuple[int, ...]) -> None:
        where = ", ".join(str(n) for n in lines)
        super().__init__(
            f"task id {task_id!r} is used on lines {where}; give each task its own id",
            lines[-1],
            lines,
        )
        self.task_id = task_id


class UnknownDependencyError(TaskListError):
    """A depends marker names an id that no task in the list has."""

    def __init__(
        self, task_id: str, dependency: str, line: int, suggestions: tuple[str, ...] = ()
    ) -> None:
        hint = f" (did you mean {' or '.join(suggestions)}?)" if suggestions else ""
        super().__init__(
            f"task {task_id} depends on {dependency!r}, but no task has that id{hint}; "
            "fix or remove it in the depends marker",
            line,
        )
        self.task_id = task_id
        self.dependency = dependency


class DependencyCycleError(TaskListError):
    """Tasks wait for each other (directly, through a parent's depends or through sub-tasks)."""

    def __init__(self, task_ids: tuple[str, ...], explanation: str, lines: tuple[int, ...]) -> None:
        super().__init__(
            f"dependency cycle: {explanation}; no task in it can ever start, "
            "so remove or change one of these depends markers",
            lines[0],
            lines,
        )
        self.task_ids = task_ids


class UnknownTaskError(TaskListError, KeyError):
    """An operation named a task id that is not in the list (e.g. it was renamed meanwhile)."""

    def __init__(self, task_id: str) -> None:
        super().__init__(f"no task has the id {task_id!r} in the task list", None)
        self.task_id = task_id


class TaskStateError(TaskListError):
    """A task cannot be marked done in its current state (skipped, or it has open sub-tasks)."""
