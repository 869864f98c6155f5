"""Finding the files a task needs, measured on the autonomy corpus: for every task, the files
IMPLEMENT would put in the chat (what the task names, else what ranking chooses:
`devteam_implement.chatfiles`) against the files its reference solution changes.

* `found_all`: the share of tasks whose every right file was put in the chat, editable;
* `recall`: the share of right files put in the chat, over all tasks;
* `recall_at_k` (ranking alone, on the tasks that name no file): the share of tasks whose
  right files are all among the k best ranked source files;
* `extra_files_per_task`: editable files in the chat that the solution does not change;
* `names_stripped`: the same for the tasks that name files, with every file name taken out
  of their text (`in `shop/cart.py`` and all): how ranking alone does on them.

Everything comes from the repository the product would get for the task (its base files, the
task's visible tests, the task list); the hidden tests are never read.
"""

import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.autonomy.corpus import TASKS_FILE, load_corpus
from devteam_implement import locate
from devteam_implement.chatfiles import chat_files, named_paths
from devteam_tasklist import parse

PROTECTED = ["tests/**"]  # as the autonomy harness registers its projects


def _strip_names(text: str) -> str:
    for named in sorted(named_paths(text), key=lambda n: -len(n.path)):
        text = text.replace(f"`{named.path}`", "").replace(named.path, "")
    return text.replace(" in  ", " ").replace("  ", " ")


def _measure(files: dict[str, str], query: str, right: set[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        for rel, text in files.items():
            (tree / rel).parent.mkdir(parents=True, exist_ok=True)
            (tree / rel).write_text(text)
        chosen = chat_files(tree, query, TASKS_FILE, PROTECTED, "", sorted(files))
    editable = set(chosen.editable)
    sources = {p: t for p, t in files.items() if p != TASKS_FILE}
    ranked = [r.path for r in locate.rank(sources, query) if not r.test]
    return {
        "chosen": [c.model_dump(exclude_none=True) for c in chosen.chosen],
        "found_all": right <= editable,
        "recall": len(right & editable) / len(right),
        "extra": len(editable - right),
        "rank_of_right": [ranked.index(p) + 1 if p in ranked else None for p in sorted(right)],
    }


def run() -> dict[str, Any]:
    per_task = []
    stripped = []
    for repo in load_corpus():
        parents = {}
        listed = parse(repo.tasks_list)
        for task in repo.tasks:
            parents[task.id] = [a.title for a in reversed(listed.ancestors(task.id))]
        for task in repo.tasks:
            files = repo.files_for(task)
            query = "\n".join([*parents[task.id], task.title, task.body])
            right = {p for p in task.variants["solution"] if not locate.is_test(p)}
            # (a task names its files when it names one that exists or that the solution makes)
            names = {n.path for n in named_paths(query)} & (set(files) | right)
            measured = _measure(files, query, right)
            per_task.append({"task": task.key, "names_files": bool(names),
                             "right": sorted(right), **measured})  # fmt: skip
            if names:
                blind = _measure(files, _strip_names(query), right)
                stripped.append({"task": task.key, "query": _strip_names(query), **blind})
    unnamed = [t for t in per_task if not t["names_files"]]

    def at_k(k: int) -> float:
        hits = [all(r is not None and r <= k for r in t["rank_of_right"]) for t in unnamed]
        return round(sum(hits) / max(len(hits), 1), 3)

    return {
        "tasks": len(per_task),
        "tasks_not_naming_files": len(unnamed),
        "found_all": round(sum(t["found_all"] for t in per_task) / len(per_task), 3),
        "found_all_not_naming_files": round(
            sum(t["found_all"] for t in unnamed) / max(len(unnamed), 1), 3
        ),
        "recall": round(statistics.mean(t["recall"] for t in per_task), 3),
        "recall_at_k": {str(k): at_k(k) for k in (1, 2, 3, 5)},
        "extra_files_per_task": round(statistics.mean(t["extra"] for t in per_task), 2),
        "names_stripped": {
            "tasks": len(stripped),
            "found_all": round(sum(t["found_all"] for t in stripped) / max(len(stripped), 1), 3),
            "per_task": stripped,
        },
        "per_task": per_task,
    }


if __name__ == "__main__":
    result = run()
    print(json.dumps({k: v for k, v in result.items() if k != "per_task"}, indent=2))
    print("names stripped: found_all", result["names_stripped"]["found_all"])
    for task in [*result["per_task"], *result["names_stripped"]["per_task"]]:
        if not task["found_all"]:
            print(
                "missed", task["task"], [c["path"] for c in task["chosen"]], task["rank_of_right"]
            )
