"""What Aider is told: the task (first attempt) or the failed check (a repair)."""

import re

from devteam_contracts.commands import FailedCheck, ImplementCommand

FEEDBACK_CHARS = 6000
# The lines of a test runner's report that say what failed and where (pytest's `E` and `>`
# lines, `file:line:` locations, `FAILED`/`ERROR` summaries; mocha's and jest's numbered
# failures and `Error:` lines); the rest (tracebacks through the runner, progress dots) is
# noise that leads a small model astray: measured on Qwen2.5-Coder-0.5B, a repair given the
# whole pytest report copied the edit format's example, one given these lines edited the code.
_ESSENTIAL = re.compile(
    r"^(E |>|FAILED|ERROR|\s*\d+\) |\s*(Assertion)?Error:|\s*expected |[\w./-]+:\d+:)"
)


def failure_lines(output: str) -> str:
    """What a failed check's output says went wrong: its essential lines when it has any,
    else its end."""
    kept = [line.rstrip() for line in output.splitlines() if _ESSENTIAL.match(line)]
    text = "\n".join(kept) if kept else output
    return text[-FEEDBACK_CHARS:].strip()


def instruction(cmd: ImplementCommand, tasks_file: str, editable: list[str] | None = None) -> str:
    """The message for Aider; the task list itself is ours to edit, never the implementer's.
    With `editable` (the files put in the chat to change), the model is told to keep to them:
    small models otherwise copy the edit format's example (`path/to/filename.js`) as a file.
    A repair says what failed, shortly, and ends on what to do."""
    task = cmd.task
    text = f"Implement task {task.id}: {task.title}\n"
    if task.body.strip():
        text += f"\n{task.body.rstrip()}\n"
    files = ", ".join(editable or [])
    keep = f"Change only {files} and create no other file." if editable else ""
    check = cmd.failed_check
    if check is None:
        if editable:
            text += f"\nThe code to change is in {files}. {keep}\n"
        return text + (
            f"\nDo not edit {tasks_file}; the task is ticked there automatically once the "
            "project's checks pass.\n"
        )
    if cmd.after_unchanged:
        text += "\nYour previous answer changed nothing, but the task needs a change to the code.\n"
    return text + _repair(cmd.attempt - 1, check, cmd.after_unchanged, files, keep)


def _repair(n: int, check: FailedCheck, after_unchanged: bool, files: str, keep: str) -> str:
    if check.setup:
        return (
            f"\nThis is repair attempt {n}: the project's setup (`{check.command}`) "
            f"{check.outcome} after the previous change to its dependencies "
            f"({', '.join(check.setup)}):\n\n{check.output_tail[-FEEDBACK_CHARS:].strip()}\n\n"
            f"Fix the dependency declarations so that setup succeeds. {keep}\n"
        )
    after = "on the code as it is" if after_unchanged else "after the previous change"
    fix = f"Fix {files} so that they pass." if files else "Fix the code so that they pass."
    return (
        f"\nThis is repair attempt {n}: the project's checks failed {after} "
        f"(`{check.command}` {check.outcome}):\n\n{failure_lines(check.output_tail)}\n\n"
        f"{fix} {keep}\n"
    )
