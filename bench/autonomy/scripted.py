"""The offline run of the harness: a scripted model whose outcome per task is designed, so the
harness itself is checked end to end (the whole product, real Aider, real checks) and the
result must equal `expected` exactly.

Plans: `first_try` answers with the reference solution; `after_repair` is wrong first and right
when told the failing output; `never` stays wrong; `insist` is wrong, then answers a repair
with no change; `cheat` rewrites the visible test instead of the code (caught: `tests/**` is
protected); `gamed` hard-codes the visible tests' answers (completed, but the hidden tests
fail); `auth` is a model endpoint that answers 401.
"""

import re
from collections import Counter
from typing import Any

from bench.autonomy.corpus import CorpusRepo, CorpusTask
from devteam_scripted_model.scenarios import whole_reply

PLANS: dict[str, str] = {
    "textkit/2.1": "after_repair",
    "textkit/5": "after_repair",
    "shop/2.1": "after_repair",
    "timetools/T-3": "never",
    "timetools/T-1": "insist",
    "shop/1.2": "cheat",
    "textkit/2.2": "gamed",
    "timetools/T-6": "auth",
}
INSIST = "The implementation is correct as it is; the failing test must be wrong."


def plan_of(task: CorpusTask) -> str:
    """The task's plan (`first_try` unless `PLANS` says otherwise)."""
    return PLANS.get(task.key, "first_try")


def _rules(task: CorpusTask) -> list[dict[str, Any]]:
    plan = plan_of(task)
    asked = re.escape(f"Implement task {task.id}: {task.title}")
    repair = rf"(?s){asked}.*This is repair attempt"
    name = f"{task.key}:{plan}"
    solution = whole_reply(task.variants["solution"])
    # When the files it edits were not in the chat, Aider adds them and asks again; the
    # model (as a real one would) answers with the same edit (a second edit request).
    paths = "|".join(re.escape(path) for path in sorted(task.variants["solution"]))
    added = rf"I added these files to the chat: .*(?:{paths})"
    again = {"name": f"{name}:again", "when": added, "reply": solution, "times": 1}
    if plan == "first_try":
        return [{"name": name, "when": asked, "reply": solution}, again]
    if plan == "gamed":
        return [{"name": name, "when": asked, "reply": whole_reply(task.variants["gamed"])}]
    if plan == "auth":
        return [{"name": name, "when": asked, "status": 401, "reply": "Incorrect API key"}]
    if plan == "cheat":
        [test_path] = sorted(task.visible)
        fake = whole_reply({test_path: "def test_nothing_to_see():\n    assert True\n"})
        # The test file is not in the chat: Aider adds it and asks again, and the model (as a
        # real one would) sends the same edit once more.
        added = rf"I added these files to the chat: {re.escape(test_path)}"
        return [{"name": name, "when": asked, "reply": fake},
                {"name": f"{name}:again", "when": added, "reply": fake}]  # fmt: skip
    wrong = whole_reply(task.variants["wrong"])
    if plan == "after_repair":  # (asked again: wrong in the first attempt, right in the repair)
        return [{"name": f"{name}:repair", "when": repair, "reply": solution},
                {"name": name, "when": asked, "reply": wrong},
                {**again, "name": f"{name}:again-wrong", "reply": wrong}, again]  # fmt: skip
    if plan == "insist":
        return [{"name": f"{name}:repair", "when": repair, "reply": INSIST},
                {"name": name, "when": asked, "reply": wrong}]  # fmt: skip
    if plan == "never":
        # Each repair is wrong in its own way (repeating an answer would be `no_change`).
        repairs = [
            {"name": f"{name}:repair-{n}", "when": rf"(?s){asked}.*This is repair attempt {n}:",
             "reply": whole_reply(_tweaked(task.variants["wrong"], n))}
            for n in range(1, 10)
        ]  # fmt: skip
        return [*repairs, {"name": name, "when": asked, "reply": wrong}]
    raise ValueError(f"unknown plan {plan!r} for {task.key}")


def _tweaked(files: dict[str, str], n: int) -> dict[str, str]:
    return {path: f"{text}\n# repair {n}: still not right\n" for path, text in files.items()}


def scenario(repos: list[CorpusRepo]) -> dict[str, Any]:
    """One scenario answering every task of the corpus by its plan."""
    return {"rules": [rule for repo in repos for task in repo.tasks for rule in _rules(task)]}


def expected(repos: list[CorpusRepo], repair_attempts: int) -> dict[str, Any]:
    """What the harness must measure with this scenario."""
    plans = Counter(plan_of(task) for repo in repos for task in repo.tasks)
    first = plans["first_try"] + plans["gamed"]
    completed = first + plans["after_repair"]
    failed = {"checks_failed": plans["never"], "no_change": plans["insist"],
              "protected_path": plans["cheat"], "model_auth_error": plans["auth"]}  # fmt: skip
    return {
        "completed": completed,
        "completed_first_try": first,
        # an answer that changes nothing is checked too, and failing checks go back to the
        # model while repairs remain: `insist` spends every repair, as `never` does
        "repairs": plans["after_repair"] + (plans["never"] + plans["insist"]) * repair_attempts,
        "hidden_tests_passed": completed - plans["gamed"],
        "failed_by_reason": {code: n for code, n in sorted(failed.items()) if n},
    }
