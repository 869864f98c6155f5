"""The baselines the product is measured against, on the same model and tasks: plain Aider
(`aider --message "<task text>"` with the files the task names, no repair) and Aider's own
loop (the same with `--auto-test --test-cmd <the project's checks>`). Each works in a git
repository made for the task, as the product's is; the task's hidden tests decide."""

import asyncio
import os
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bench.autonomy.check import HIDDEN_DIR, write_tree
from bench.autonomy.corpus import TASKS_FILE, CorpusRepo, CorpusTask
from devteam_aider.settings_files import model_settings
from devteam_cli.settings import UpSettings
from devteam_cli.stack_config import default_toolchain
from devteam_git.run import git
from devteam_implement.chatfiles import chat_files
from devteam_sandbox.sandbox import open_box, run_sandboxed
from devteam_sandbox.settings import SandboxSettings

AIDER = Path(__file__).resolve().parents[2] / ".tools" / "aider" / "bin" / "aider"
TIMEOUT_S = 3600
_TOKENS = re.compile(r"Tokens: ([\d.]+)(k?) sent, ([\d.]+)(k?) received")


def _count(number: str, k: str) -> int:
    return round(float(number) * (1000 if k else 1))


def task_text(task: CorpusTask, parents: list[str]) -> str:
    """What a person would type: the parent tasks' titles, the title and the body."""
    return "\n".join([*parents, task.title, task.body]).strip()


async def run_aider_alone(
    repo: CorpusRepo, task: CorpusTask, parents: list[str], model: str, api_base: str,
    work: Path, auto_test: bool, max_output_tokens: int | None = None,
) -> dict[str, Any]:  # fmt: skip
    """One task with Aider alone; its outcome as the product's is recorded. The model's
    answers are capped at `max_output_tokens` as the product's are (a loop stops there)."""
    tree = work / "tree"
    write_tree(tree, repo.files_for(task))
    await git(["init", "-q", "-b", "main"], tree)
    await git(["add", "-A"], tree)
    ident = ["-c", "user.name=Bench", "-c", "user.email=bench@example.com"]
    await git([*ident, "commit", "-q", "-m", "before the task"], tree)
    text = task_text(task, parents)
    named = await asyncio.to_thread(chat_files, tree, text, TASKS_FILE, [])  # named only
    python = (
        Path(default_toolchain(UpSettings()) or sys.prefix + "/bin") / "python"
    )  # as the product's checks
    argv = [
        str(AIDER), "--model", model, "--openai-api-base", api_base,
        "--openai-api-key", "local", "--message", text, "--yes-always", "--no-auto-commits",
        "--no-check-update", "--analytics-disable", "--no-show-model-warnings",
        "--no-show-release-notes", "--no-pretty", "--no-fancy-input", "--no-auto-lint",
        "--no-gitignore", "--timeout", "900", "--encoding", "utf-8",
    ]  # fmt: skip
    settings = work / "model-settings.yml"
    settings.write_text(model_settings(max_output_tokens), encoding="utf-8")
    argv += ["--model-settings-file", str(settings)]
    if auto_test:
        argv += ["--auto-test", "--test-cmd", f"{python} -m pytest -q -p no:cacheprovider"]
    argv += ["--", *named.editable]
    home = work / "home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "LANG": "C.UTF-8", "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "b@example.com"}  # fmt: skip
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=tree, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        out, _ = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
    except TimeoutError:
        process.kill()
        out = b"(timed out)"
    seconds = time.monotonic() - started
    output = out.decode("utf-8", "replace")
    requests = _TOKENS.findall(output)
    prompt = sum(_count(n, k) for n, k, _m, _j in requests)
    completion = sum(_count(m, j) for _n, _k, m, j in requests)
    hidden = await _hidden_pass(tree, task, work)
    return {
        "task": task.key,
        "state": "completed" if hidden else "failed",
        "edit_requests": len(requests),
        "test_runs": output.count("Running ") if auto_test else 0,
        "hidden_tests_passed": hidden,
        "files": named.editable,
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "requests": len(requests),
        },
        "task_s": round(seconds, 2),
        "output_tail": output[-1500:],
    }


async def _hidden_pass(tree: Path, task: CorpusTask, work: Path) -> bool:
    judged = work / "judged"
    shutil.copytree(tree, judged, ignore=shutil.ignore_patterns(".git"))
    write_tree(judged, {f"{HIDDEN_DIR}/{name}": text for name, text in task.hidden.items()})
    settings = SandboxSettings()  # this machine's sandbox, as its verify worker has it
    async with open_box(work / "boxes", "autonomy", judged, settings=settings) as box:
        result = await run_sandboxed(
            f"python -m pytest -q -p no:cacheprovider {HIDDEN_DIR}", box=box, timeout_s=300
        )
    return result.ok
