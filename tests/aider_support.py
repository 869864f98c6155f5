"""Helpers for tests that run Aider for real: where its environment is, small git repos, and
the processes an attempt left behind."""

import os
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _aider_python() -> Path | None:
    configured = os.environ.get("DEVTEAM_AIDER_PYTHON")
    if configured:
        return Path(configured)
    default = REPO_ROOT / ".tools" / "aider" / "bin" / "python"
    return default if default.exists() else None


AIDER_PYTHON = _aider_python()
needs_aider = pytest.mark.skipif(
    AIDER_PYTHON is None,
    reason="Aider is not installed: set DEVTEAM_AIDER_PYTHON or create .tools/aider",
)


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` and return its output."""
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return result.stdout


def make_repo(path: Path, files: dict[str, str]) -> Path:
    """A git repository at `path` with `files` in one commit on `main`."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.name", "Test User")
    git(path, "config", "user.email", "test@example.invalid")
    for name, content in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(content)
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


def processes_in(directory: Path) -> list[int]:
    """PIDs of live processes whose cwd is inside `directory` (an attempt and its children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = Path(os.readlink(entry / "cwd"))
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and cwd.is_relative_to(directory):
            found.append(int(entry.name))
    return found


def threads_of(pid: int) -> int:
    """OS threads of a process, as the kernel counts them."""
    return len(os.listdir(f"/proc/{pid}/task"))
