"""What Aider is told, and idempotent run ids (pure)."""

from devteam_contracts.commands import FailedCheck, ImplementCommand, TaskRef
from devteam_contracts.repoconfig import RunConfig
from devteam_implement.prompt import instruction
from devteam_runs.launch import run_id_for

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


PYTEST_REPORT = """\
F..                                                                      [100%]
=================================== FAILURES ===================================
______________________________ test_sample_total _______________________________

    def test_sample_total():
>       assert cart_total(SAMPLE) == 1250 * 2 + 499 * 3 + 150 * 4
               ^^^^^^^^^^^^^^^^^^

tests/test_cart_total.py:6:
_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _
shop/cart.py:5: in cart_total
    return sum(item.price_cents for item in items)
           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

.0 = <list_iterator object at 0x7f59a9c0bf40>

>   return sum(item.price_cents for item in items)
E   AttributeError: 'dict' object has no attribute 'price_cents'

shop/cart.py:5: AttributeError
=========================== short test summary info ============================
FAILED tests/test_cart_total.py::test_sample_total - AttributeError: 'dict' o...
1 failed, 2 passed in 0.04s
"""


def test_repair_says_shortly_what_failed_and_ends_on_what_to_do() -> None:
    check = FailedCheck(command="pytest -q", outcome="exited with 1", output_tail=PYTEST_REPORT)
    text = instruction(command(attempt=2, failed_check=check), "tasks_list.md", ["shop/cart.py"])
    assert "repair attempt 1" in text
    assert "(`pytest -q` exited with 1)" in text
    assert "E   AttributeError: 'dict' object has no attribute 'price_cents'" in text
    assert ">       assert cart_total(SAMPLE) == 1250 * 2 + 499 * 3 + 150 * 4" in text
    assert "shop/cart.py:5: AttributeError" in text and "FAILED tests/test_cart_total.py" in text
    # the runner's noise stays out: progress, rules, carets, locals
    assert "[100%]" not in text and "====" not in text and "^^^^" not in text
    assert "list_iterator" not in text
    assert text.rstrip().endswith(
        "Fix shop/cart.py so that they pass. Change only shop/cart.py and create no other file."
    )


def test_a_report_without_known_lines_is_sent_as_it_ends() -> None:
    output = "x" * 7000 + "\nmake: *** [check] Error 2"
    check = FailedCheck(command="make check", outcome="exited with 2", output_tail=output)
    text = instruction(command(attempt=3, failed_check=check), "tasks_list.md")
    assert "repair attempt 2" in text and "make: *** [check] Error 2" in text
    assert "x" * 5900 in text and "x" * 6001 not in text
    assert text.rstrip().endswith("Fix the code so that they pass.")


def test_idempotency_key_gives_a_stable_run_id() -> None:
    assert run_id_for("t", "p", "k1") == run_id_for("t", "p", "k1")
    assert run_id_for("t", "p", "k1") != run_id_for("t", "p", "k2")
    assert run_id_for("t", "p", "k1") != run_id_for("u", "p", "k1")
    assert run_id_for("t", "p", None) != run_id_for("t", "p", None)
