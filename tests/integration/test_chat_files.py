"""The files put in Aider's chat: what the task names and the tree has, safely."""

import os
from pathlib import Path

from devteam_implement.chatfiles import chat_files


def tree_with(tmp_path: Path, files: dict[str, str]) -> Path:
    tree = tmp_path / "tree"
    for name, text in files.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text)
    return tree


def test_named_files_existing_new_protected_and_the_task_list(tmp_path: Path) -> None:
    tree = tree_with(tmp_path, {"calc.py": "", "tests/test_calc.py": "", "tasks_list.md": ""})
    text = (
        "Add `add(a, b)` to `calc.py`, test it in tests/test_add.py and keep "
        "tests/test_calc.py; tick tasks_list.md; e.g. a `notes.md`; docs/guide.md; helper.py"
    )
    files = chat_files(tree, text, "tasks_list.md", ["tests/**"])
    assert files.editable == ["calc.py", "notes.md"]
    assert files.new == ["notes.md"]  # backticked at the root; docs/ does not exist
    # A protected file is shown, never editable, and no new protected file is offered.
    assert files.read_only == ["tests/test_calc.py"]


def test_new_files_under_existing_directories(tmp_path: Path) -> None:
    tree = tree_with(tmp_path, {"src/app.py": ""})
    files = chat_files(tree, "Create src/util.py and lib/x.py", "tasks_list.md", [])
    assert files.editable == ["src/util.py"] and files.new == ["src/util.py"]


def test_symlinks_never_bring_outside_files_into_the_chat(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP SECRET")
    tree = tree_with(tmp_path, {"ok.py": ""})
    os.symlink(outside / "secret.txt", tree / "leak.txt")
    os.symlink(outside, tree / "linked")
    text = "Read leak.txt, linked/secret.txt and write linked/new.py; fix ok.py"
    files = chat_files(tree, text, "tasks_list.md", [])
    assert files.editable == ["ok.py"] and files.read_only == [] and files.new == []


def test_a_repairs_check_output_adds_existing_files_only(tmp_path: Path) -> None:
    tree = tree_with(tmp_path, {"calc.py": "", "tests/test_add.py": ""})
    output = "tests/test_add.py:5: AssertionError\nE  in calc.py and missing.py"
    files = chat_files(tree, "Fix add", "tasks_list.md", ["tests/**"], output)
    assert files.editable == ["calc.py"] and files.read_only == ["tests/test_add.py"]
    assert files.new == []
