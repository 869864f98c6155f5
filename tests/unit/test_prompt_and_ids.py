"""What Aider is told, and idempotent run ids (pure)."""

from devteam_bus.starting import run_id_for
from devteam_contracts.commands import FailedCheck, ImplementCommand, TaskRef
from devteam_contracts.repoconfig import RunConfig
from devteam_implement.prompt import instruction

SHA = "b" * 40


def command(**extra: object) -> ImplementCommand:
    task = TaskRef(id="1.2", title="Add login", body="  Accepts user/password.\n")
    return ImplementCommand.model_validate(
        {"run_id": "run-1", "tenant": "t", "project_id": "p", "task": task, "base_sha": SHA,
         "config": RunConfig(), **extra}
    )  # fmt: skip


def test_first_attempt_names_the_task_and_protects_the_list() -> None:
    text = instruction(command(), "tasks_list.md")
    assert text.startswith("Implement task 1.2: Add login\n")
    assert "Accepts user/password." in text
    assert "Do not edit tasks_list.md" in text
    assert "repair" not in text


def test_the_model_is_told_to_keep_to_the_files_in_the_chat() -> None:
    text = instruction(command(), "tasks_list.md", ["app/login.py", "app/users.py"])
    assert "The code to change is in app/login.py, app/users.py." in text
    assert "create no other file" in text
    assert "create no other file" not in instruction(command(), "tasks_list.md")


def test_repair_carries_the_failure_output() -> None:
    check = FailedCheck(command="pytest -q", outcome="exited with 1", output_tail="E   assert 1")
    text = instruction(command(attempt=2, failed_check=check), "tasks_list.md")
    assert "repair attempt 1" in text
    assert "(`pytest -q` exited with 1)" in text
    assert text.rstrip().endswith("E   assert 1")


def test_idempotency_key_gives_a_stable_run_id() -> None:
    assert run_id_for("t", "p", "k1") == run_id_for("t", "p", "k1")
    assert run_id_for("t", "p", "k1") != run_id_for("t", "p", "k2")
    assert run_id_for("t", "p", "k1") != run_id_for("u", "p", "k1")
    assert run_id_for("t", "p", None) != run_id_for("t", "p", None)
