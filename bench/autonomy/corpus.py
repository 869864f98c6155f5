"""The autonomy corpus: small repositories with task lists as people write them, and per task
the tests it must pass (visible, in the repository) and tests it is judged by afterwards
(hidden: never in the repository the product sees).

    corpus/<repo>/repo/           the repository's files (without any task's tests)
    corpus/<repo>/tasks_list.md   every task of the repository
    corpus/<repo>/tasks/<id>/visible/<path>    added to the repository for task <id>
    corpus/<repo>/tasks/<id>/hidden/<file>     run on the target branch after the run
    corpus/<repo>/tasks/<id>/solution/<path>   a correct change (the scripted model's answer)
    corpus/<repo>/tasks/<id>/wrong|gamed/...   a wrong change / one that games the visible tests

Every task is measured on its own: its repository holds the base files, the task's visible
tests and the task list with every other task ticked, so the one open task is selected.
"""

from dataclasses import dataclass
from pathlib import Path

from devteam_tasklist import parse, tick

CORPUS_DIR = Path(__file__).parent / "corpus"
TASKS_FILE = "tasks_list.md"


def _files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {
        str(p.relative_to(root)): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@dataclass(frozen=True)
class CorpusTask:
    """One atomic task of a corpus repository."""

    repo: str
    id: str
    title: str
    body: str
    visible: dict[str, str]
    hidden: dict[str, str]
    variants: dict[str, dict[str, str]]

    @property
    def key(self) -> str:
        """`<repo>/<task id>`, unique over the corpus."""
        return f"{self.repo}/{self.id}"


@dataclass(frozen=True)
class CorpusRepo:
    """A corpus repository and its tasks."""

    name: str
    files: dict[str, str]
    tasks_list: str
    tasks: list[CorpusTask]

    def files_for(self, task: CorpusTask) -> dict[str, str]:
        """The repository the product gets for `task`: base files, the task's visible tests,
        and the task list with every other task ticked."""
        text = self.tasks_list
        for leaf in parse(self.tasks_list).leaves():
            if leaf.id != task.id:
                text = tick(text, leaf.id)
        return {**self.files, **task.visible, TASKS_FILE: text}


def load_corpus(root: Path = CORPUS_DIR) -> list[CorpusRepo]:
    """Every repository of the corpus, its leaves in document order."""
    repos = []
    for repo_dir in sorted(p for p in root.iterdir() if (p / "repo").is_dir()):
        text = (repo_dir / TASKS_FILE).read_text(encoding="utf-8")
        tasks = []
        for leaf in parse(text).leaves():
            task_dir = repo_dir / "tasks" / leaf.id
            if not task_dir.is_dir():
                raise FileNotFoundError(f"{task_dir}: task {leaf.id} has no tests in the corpus")
            variants = {
                p.name: _files(p) for p in sorted(task_dir.iterdir())
                if p.is_dir() and p.name not in ("visible", "hidden")
            }  # fmt: skip
            tasks.append(
                CorpusTask(
                    repo=repo_dir.name,
                    id=leaf.id,
                    title=leaf.title,
                    body=leaf.body,
                    visible=_files(task_dir / "visible"),
                    hidden=_files(task_dir / "hidden"),
                    variants=variants,
                )
            )
        repos.append(CorpusRepo(repo_dir.name, _files(repo_dir / "repo"), text, tasks))
    return repos
