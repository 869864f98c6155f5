"""The demo customer project: a tiny Python calculator with a three-task list and a pytest
suite, in a bare repository (as a hosted remote would be), plus the scripted model's answers.

Used by `make demo` and by the end-to-end tests, so both exercise the same project.
"""

import subprocess
from pathlib import Path
from typing import Any

TASKS_LIST = """\
# Calculator

A tiny calculator library, built one task at a time by DevTeam Runner.

## Tasks

- [ ] 1 Add an `add(a, b)` function to `calc.py`
  Return the sum of the two numbers; cover it with a test in `tests/test_add.py`.
- [ ] 2 Add a `subtract(a, b)` function to `calc.py`
  Return `a - b`; cover it with a test in `tests/test_subtract.py`.
- [ ] 3 Add a `multiply(a, b)` function to `calc.py`
  Return the product; cover it with a test in `tests/test_multiply.py`.
"""

FILES = {
    "README.md": "# calc\n\nA tiny calculator. Work items live in `tasks_list.md`.\n",
    "calc.py": '"""A tiny calculator."""\n',
    "tests/test_smoke.py": "import calc\n\n\ndef test_module_imports():\n    assert calc.__doc__\n",
    ".gitignore": "__pycache__/\n.pytest_cache/\n",
    "tasks_list.md": TASKS_LIST,
}

VERIFY = ["python -m pytest -q -p no:cacheprovider"]

_OPS = [
    ("1", "add", "+", "test_add", "add(2, 3) == 5"),
    ("2", "subtract", "-", "test_subtract", "subtract(5, 3) == 2"),
    ("3", "multiply", "*", "test_multiply", "multiply(4, 3) == 12"),
]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def create_demo_repo(root: Path) -> Path:
    """Create `root/calc.git` (bare, branch `main`) holding the demo project; return its path."""
    return create_repo(root, FILES, "calc", "Initial calculator project")


def create_repo(
    root: Path,
    files: dict[str, str],
    name: str,
    message: str,
    binary: dict[str, bytes] | None = None,
) -> Path:
    """Create `root/<name>.git`, a bare repository whose `main` holds `files` (and `binary`
    ones) in one commit."""
    seed = root / f"{name}-seed"
    bare = root / f"{name}.git"
    contents = {name: text.encode() for name, text in files.items()} | (binary or {})
    for relpath, content in contents.items():
        path = seed / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    _git(seed, "init", "-q", "-b", "main")
    _git(seed, "add", "-A")
    _git(
        seed,
        "-c", "user.name=Demo Customer", "-c", "user.email=customer@example.com",
        "commit", "-q", "-m", message,
    )  # fmt: skip
    _git(root, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


def _calc_source(upto: int, broken: str | None = None) -> str:
    body = '"""A tiny calculator."""\n'
    for _tid, name, op, _test, _assert in _OPS[:upto]:
        expr = f"a {broken if broken and name == 'add' else op} b"
        body += f"\n\ndef {name}(a, b):\n    return {expr}\n"
    return body


def _whole_reply(files: dict[str, str]) -> str:
    # Aider's `whole` edit format: the file name on a line, then the complete file, fenced.
    return "".join(f"{name}\n```\n{text}```\n\n" for name, text in files.items())


def _task_reply(index: int, broken: str | None = None) -> str:
    _tid, name, _op, test, check = _OPS[index]
    return _whole_reply(
        {
            "calc.py": _calc_source(index + 1, broken),
            f"tests/{test}.py": f"from calc import {name}\n\n\ndef {test}():\n    assert {check}\n",
        }
    )


def demo_scenario() -> dict[str, Any]:
    """Scripted answers that implement the three tasks correctly."""
    rules: list[dict[str, Any]] = [
        {"name": f"task-{tid}", "when": rf"Implement task {tid}:", "reply": _task_reply(i)}
        for i, (tid, *_rest) in enumerate(_OPS)
    ]
    rules += [
        {"name": f"commit-{name}", "kind": "commit_message", "when": rf"\+def {name}\(",
         "reply": f"feat: add {name}()"}
        for _tid, name, *_rest in _OPS
    ]  # fmt: skip
    return {"rules": rules}


def failing_scenario() -> dict[str, Any]:
    """Task 1 is implemented wrongly, and the repair attempt is wrong in another way."""
    return {
        "rules": [
            {"name": "repair-1", "when": r"repair attempt 1", "reply": _task_reply(0, "*")},
            {"name": "task-1-broken", "when": r"Implement task 1:", "reply": _task_reply(0, "-")},
        ]
    }
