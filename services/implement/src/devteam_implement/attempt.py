"""One IMPLEMENT attempt without the bus: run Aider in a prepared tree, then judge it from git
and from the model's actual answers, and account for it (tokens, cost, edit requests)."""

import asyncio
import shutil
from dataclasses import dataclass
from pathlib import Path

from devteam_aider import AiderHost, AiderInvocation, run_aider
from devteam_contracts.commands import ImplementCommand
from devteam_contracts.projects import Project
from devteam_contracts.runs import AttemptRecord
from devteam_git.run import git
from devteam_git.workspace import changed_paths, commit_all, dirty_paths, head, task_slug
from devteam_implement.chatfiles import ChatFiles, chat_files
from devteam_implement.outcome import GitFacts, Judgement, judge, usage_of
from devteam_implement.prompt import instruction
from devteam_implement.protected import protected_paths
from devteam_implement.settings import ImplementSettings
from devteam_sandbox.process import LineSink
from devteam_sandbox.redact import redact

MAP_TOKENS_WITH_FILES = 1024
# The files Aider's edit-format prompts show as examples: a small model copies them, and such a
# file is never the customer's change (removed when an attempt creates one).
FORMAT_EXAMPLES = frozenset({"path/to/filename.js", "mathweb/flask/app.py"})


@dataclass(frozen=True)
class AttemptResult:
    """The attempt's judgement, its record for the run, and the end of Aider's output."""

    judgement: Judgement
    record: AttemptRecord
    output_tail: str


async def prepare_tree(tree: Path, cmd: ImplementCommand, locate: bool = True) -> ChatFiles:
    """Reset the tree to exactly the committed state (so every change afterwards is Aider's)
    and decide which files go into the chat (ranking the tree's files too, if `locate`)."""
    await git(["reset", "--quiet", "--hard"], tree)
    await git(["clean", "-qfd"], tree)
    task_text = "\n".join([*cmd.task.parents, cmd.task.title, cmd.task.body])
    check_output = cmd.failed_check.output_tail if cmd.failed_check else ""
    tracked = None
    if locate:
        listed = await git(["ls-files", "-z"], tree)
        tracked = [p for p in listed.stdout.split("\0") if p]
    previous: list[str] = []
    if cmd.failed_check is not None and cmd.from_sha and cmd.from_sha != cmd.base_sha:
        # what the attempts before changed, in directories the project had: a file a model
        # made up somewhere new (`path/to/filename.js`) is not worth another look
        base = await git(["ls-tree", "-r", "-z", "--name-only", cmd.base_sha], tree)
        dirs = {str(Path(p).parent) for p in base.stdout.split("\0") if p}
        changed = await changed_paths(tree, cmd.base_sha, cmd.from_sha)
        previous = [p for p in changed if str(Path(p).parent) in dirs]
    return await asyncio.to_thread(
        chat_files, tree, task_text, cmd.config.tasks_file, cmd.config.protected, check_output,
        tracked, previous,
    )  # fmt: skip


async def _git_facts(cmd: ImplementCommand, tree: Path, files: ChatFiles) -> GitFacts:
    # Aider creates the new files named in the chat empty; one it never wrote is not a change.
    for rel in files.new:
        path = tree / rel
        if path.is_file() and not path.is_symlink() and path.stat().st_size == 0:
            tracked = await git(["ls-files", "--error-unmatch", "--", rel], tree, check=False)
            if tracked.code != 0:
                path.unlink()
    if await dirty_paths(tree):
        await commit_all(tree, f"{cmd.task.id}: changes left uncommitted by Aider")
    # Judged against where the attempt started, so a redelivered command that finds Aider's
    # commit already there still sees the change.
    start = cmd.from_sha or cmd.base_sha
    added = await git(["diff", "--name-only", "-z", "--diff-filter=A", start, "HEAD", "--"], tree)
    examples = sorted(FORMAT_EXAMPLES.intersection(added.stdout.split("\0")))
    if examples:
        await git(["rm", "-q", "--", *examples], tree)
        await commit_all(tree, f"{cmd.task.id}: remove the edit format's example the model wrote")
    tip = await head(tree)
    changed = await changed_paths(tree, start, tip) if tip != start else []
    touched = await changed_paths(tree, cmd.base_sha, tip) if changed else []
    protected = protected_paths(touched, cmd.config.protected)
    return GitFacts(changed, touched, protected, tip, tuple(examples))


async def run_attempt(
    cmd: ImplementCommand,
    project: Project,
    tree: Path,
    files: ChatFiles,
    settings: ImplementSettings,
    state_root: Path,
    host: AiderHost | None,
    api_key: str | None,
    on_line: LineSink | None = None,
    nice: int | None = None,
    budget: tuple[int | None, float | None] = (None, None),
) -> AttemptResult:
    """Run Aider once on `cmd`'s task in `tree` and judge the result.

    `state_root` holds the project's Aider state (its tags cache, and this attempt's private
    directory, removed afterwards). Cancelling the caller kills the attempt's process group.
    `nice`: the work's priority for Aider's CLI (the host's own when None; see `run_aider`).
    `budget`: the tokens and dollars the run may still spend (None: no limit).
    """
    model = project.model
    state_dir = state_root / cmd.run_id / f"{task_slug(cmd.task.id)}-{cmd.attempt}"
    invocation = AiderInvocation(
        worktree=tree,
        message=instruction(cmd, cmd.config.tasks_file, files.editable),
        model=model.name,
        api_base=model.api_base,
        api_key=api_key,
        state_dir=state_dir,
        tags_cache=state_root / "tags-cache",
        timeout_s=cmd.config.limits.implement_seconds,
        weak_model=model.weak_name,
        edit_format=model.edit_format,
        request_timeout_s=model.request_timeout_s,
        retry_timeout_s=settings.aider_retry_s,
        chat_files=files.editable,
        read_only=files.read_only,
        ignored=[cmd.config.tasks_file],
        # With the task's files in the chat, the repo map only has to sketch the rest:
        # Aider's size for a model whose context it does not know (a small model's prompt
        # stays small, and fast).
        map_tokens=MAP_TOKENS_WITH_FILES if files.editable else None,
        max_output_tokens=model.max_output_tokens,
        budget_tokens=budget[0],
        budget_cost_usd=budget[1],
    )
    try:
        outcome = await run_aider(invocation, settings.aider_python, on_line, host, nice=nice)
    finally:
        await asyncio.to_thread(shutil.rmtree, state_dir, True)
    facts = await _git_facts(cmd, tree, files)
    accounting = outcome.accounting
    judgement = judge(
        cancelled=False,
        timed_out=outcome.timed_out,
        timeout_s=cmd.config.limits.implement_seconds,
        git=facts,
        tasks_file=cmd.config.tasks_file,
        accounting=accounting,
        request_timeout_s=model.request_timeout_s,
        died_by_signal=outcome.signal,
    )
    secrets = [api_key] if api_key else []
    record = AttemptRecord(
        task_id=cmd.task.id,
        attempt=cmd.attempt,
        code=judgement.code,
        http_status=judgement.http_status,
        detail=redact(judgement.detail, secrets),
        runner=outcome.runner,
        fallback=outcome.fallback,
        files=facts.changed,
        chat=files.chosen,
        head_sha=facts.tip if facts.changed else None,
        duration_s=round(outcome.duration_s, 3),
        model_s=round(accounting.model_s, 3) if accounting else 0.0,
        edit_requests=accounting.edit_requests if accounting else 0,
        usage=usage_of(accounting, model.input_usd_per_mtok, model.output_usd_per_mtok),
    )
    return AttemptResult(judgement, record, redact(outcome.output_tail, secrets))
