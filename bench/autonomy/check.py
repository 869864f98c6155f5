"""Keeps the corpus honest, without the product: for every task the base repository fails its
visible tests (the task is not done already), the reference solution passes visible and hidden
tests, a `wrong` change fails the visible tests, and a `gamed` change passes the visible tests
but fails the hidden ones."""

import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.autonomy.corpus import CorpusRepo, CorpusTask, load_corpus

HIDDEN_DIR = "tests/hidden"


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Write `files` (path → text) under `root`."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _passes(files: dict[str, str], *tests: str) -> bool:
    with tempfile.TemporaryDirectory(prefix="corpus-check-") as tmp:
        write_tree(Path(tmp), files)
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
        done = subprocess.run(argv, cwd=tmp, capture_output=True, timeout=120, check=False)
        return done.returncode == 0


def _problems(repo: CorpusRepo, task: CorpusTask) -> list[str]:
    base = repo.files_for(task)
    hidden = {f"{HIDDEN_DIR}/{name}": text for name, text in task.hidden.items()}
    if not task.visible or not task.hidden:
        return [f"{task.key}: needs visible and hidden tests"]
    if "solution" not in task.variants:
        return [f"{task.key}: no solution"]
    found = []
    if _passes(base, "tests"):
        found.append(f"{task.key}: the visible tests pass before the task is done")
    solved = {**base, **task.variants["solution"], **hidden}
    if not _passes(solved, "tests"):
        found.append(f"{task.key}: the solution fails its visible or hidden tests")
    if "wrong" in task.variants and _passes({**base, **task.variants["wrong"]}, "tests"):
        found.append(f"{task.key}: the wrong change passes the visible tests")
    if "gamed" in task.variants:
        gamed = {**base, **task.variants["gamed"], **hidden}
        if not _passes(gamed, "tests", "--ignore", HIDDEN_DIR):
            found.append(f"{task.key}: the gamed change fails the visible tests")
        if _passes(gamed, HIDDEN_DIR):
            found.append(f"{task.key}: the gamed change passes the hidden tests")
    return found


def check_corpus() -> list[str]:
    """Every problem found (none when the corpus is sound)."""
    pairs = [(repo, task) for repo in load_corpus() for task in repo.tasks]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda pair: _problems(*pair), pairs)
    return [problem for found in results for problem in found]


if __name__ == "__main__":
    problems = check_corpus()
    print("\n".join(problems) or "corpus OK")
    sys.exit(1 if problems else 0)
