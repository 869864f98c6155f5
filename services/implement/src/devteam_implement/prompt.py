"""What Aider is told: the task (first attempt) or the failed check (a repair)."""

from devteam_contracts.commands import ImplementCommand

FEEDBACK_CHARS = 6000


def instruction(cmd: ImplementCommand, tasks_file: str, editable: list[str] | None = None) -> str:
    """The message for Aider; the task list itself is ours to edit, never the implementer's.
    With `editable` (the files put in the chat to change), the model is told to keep to them:
    small models otherwise copy the edit format's example (`path/to/filename.js`) as a file."""
    task = cmd.task
    text = f"Implement task {task.id}: {task.title}\n"
    if task.body.strip():
        text += f"\n{task.body.rstrip()}\n"
    if editable:
        text += (
            f"\nThe code to change is in {', '.join(editable)}. Change only these files and "
            "create no other file.\n"
        )
    text += (
        f"\nDo not edit {tasks_file}; the task is ticked there automatically once the project's "
        "checks pass.\n"
    )
    check = cmd.failed_check
    if cmd.after_unchanged:
        text += "\nYour previous answer changed nothing, but the task needs a change to the code.\n"
    if check is not None and check.setup:
        text += (
            f"\nThis is repair attempt {cmd.attempt - 1}: the project's setup (`{check.command}`) "
            f"{check.outcome} after the previous change to its dependencies "
            f"({', '.join(check.setup)}). Fix the dependency declarations so that setup "
            "succeeds. Output of the failing setup:\n\n"
            f"{check.output_tail[-FEEDBACK_CHARS:]}\n"
        )
    elif check is not None:
        after = "on the code as it is" if cmd.after_unchanged else "after the previous change"
        text += (
            f"\nThis is repair attempt {cmd.attempt - 1}: the project's checks failed {after} "
            f"(`{check.command}` {check.outcome}). Fix the code so that they "
            "pass. Output of the failing check:\n\n"
            f"{check.output_tail[-FEEDBACK_CHARS:]}\n"
        )
    return text
