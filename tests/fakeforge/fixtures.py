"""A pytest fixture and a helper for the fake forge; a test module imports what it uses:

    from fakeforge.fixtures import FORGE_TOKEN, bare_repository, fake_forge  # noqa: F401

`fake_forge` serves a FakeForge (token `FORGE_TOKEN`) for one test and fails the test at
teardown if any request or answer did not match the forge's API description. A test that
sends mismatches on purpose makes its own `FakeForge` instead.
"""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import FakeForge
from .model import GIT

FORGE_TOKEN = "fake-forge-token-0123456789"


def bare_repository(root: Path, branches: tuple[str, ...] = ("feature",)) -> Path:
    """A bare repository at `root/<name>.git` with `main` (one commit) and each of `branches`
    (one commit more than `main`)."""
    root.mkdir(parents=True, exist_ok=True)
    bare = root / "origin.git"
    work = root / "work"
    env_args = [
        "-c",
        "user.name=Fake Forge",
        "-c",
        "user.email=forge@example.invalid",
        "-c",
        "commit.gpgsign=false",
    ]

    def git(*args: str, cwd: Path = work) -> None:
        subprocess.run([GIT, *env_args, *args], cwd=cwd, check=True, capture_output=True)

    subprocess.run(
        [GIT, "init", "--quiet", "--bare", "--initial-branch=main", str(bare)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [GIT, "init", "--quiet", "--initial-branch=main", str(work)],
        check=True,
        capture_output=True,
    )
    (work / "README").write_text("fake forge\n")
    git("add", "README")
    git("commit", "--quiet", "-m", "initial")
    git("push", "--quiet", str(bare), "main")
    for branch in branches:
        git("checkout", "--quiet", "-b", branch, "main")
        (work / f"{branch.replace('/', '_')}.txt").write_text(f"{branch}\n")
        git("add", "--all")
        git("commit", "--quiet", "-m", f"work on {branch}")
        git("push", "--quiet", str(bare), branch)
    return bare


@pytest.fixture
def fake_forge() -> Iterator[FakeForge]:
    """A serving FakeForge that accepts `FORGE_TOKEN`; every exchange must match the description."""
    forge = FakeForge(token=FORGE_TOKEN)
    with forge.serving():
        yield forge
    assert forge.invalid == [], "requests or answers that do not match the API description"
