"""Landing as a pull request: the run's branch, chosen once, and the one pull request (merge
request) that carries it into the target branch, opened and described through the forge's
REST API.

One pull request per run, whatever is retried: before opening one, the forge is asked for
the open pull request of the run's branch (and the forges refuse a second one for the same
branches), so a call repeated after a crash finds the first. Its description holds one
section per run between markers; a run rewrites only its own section, so what people write
there stays.
"""

import logging
from typing import Any

from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError
from devteam_contracts.landing import RUN_BRANCH_PREFIX, PullRequestRef, run_branch
from devteam_contracts.projects import Project
from devteam_contracts.repoconfig import RunConfig
from devteam_contracts.runs import FailureCode, RunState, TaskDone
from devteam_contracts.usage import Usage
from devteam_forge import ForgeClient, ForgeSettings, PullRequest, forge_client
from devteam_runs.run_store import RunStore
from devteam_runs.stages import StageContext
from devteam_tenants import Secrets

log = logging.getLogger(__name__)

_MAX_BODY = 60_000  # GitHub takes 65536 characters


class PullRequests:
    """The forge side of `pull_request` landing, for SELECT and COMPLETE."""

    def __init__(self, bus: Bus, settings: ForgeSettings, schemes: frozenset[str]) -> None:
        self.bus = bus
        self.settings = settings
        self.schemes = schemes

    async def _forge(
        self, project: Project, secrets: Secrets, settings: ForgeSettings | None = None
    ) -> ForgeClient:
        land = project.land
        token = await secrets.lookup(land.token_secret, land.token_env, "land.token")
        if not token:
            raise PermanentError(
                f"land.token: the worker variable {land.token_env} is not set",
                code=FailureCode.INVALID_CONFIG,
            )
        return forge_client(land, token, settings or self.settings, self.schemes)

    async def open_one(
        self, project: Project, secrets: Secrets, target: str, *, quick: bool = False
    ) -> PullRequest | None:
        """The project's open pull request into `target` from one of our branches (the newest,
        if there are more). `quick`: one try, a short time limit (a read that must answer)."""
        quick_settings = {"forge_attempts": 1, "forge_timeout_s": 5.0}
        settings = self.settings.model_copy(update=quick_settings) if quick else None
        async with await self._forge(project, secrets, settings) as forge:
            ours = [
                p
                for p in await forge.open_pulls(target)
                if p.same_repository and p.head.startswith(RUN_BRANCH_PREFIX)
            ]
        return max(ours, key=lambda p: p.number) if ours else None

    async def choose_branch(self, ctx: StageContext[Any], target: str) -> RunState:
        """The run with its branch, chosen at its first selection (SELECT asks only while the
        run has none) and kept: the branch of the project's open pull request into `target`
        (the run continues it), else the branch of the run it resumes (when that branch is
        still there), else its own."""
        run = ctx.run
        continued = await self.open_one(ctx.project, ctx.secrets, target)
        branch, ref = run_branch(run.id), None
        if continued is not None:
            branch, ref = continued.head, continued.ref()
        elif run.resumed_from is not None:
            earlier = await RunStore(self.bus).get(run.resumed_from)
            ws = await ctx.workspace()
            if earlier and earlier.branch and await ws.sync_present(earlier.branch):
                branch = earlier.branch

        def change(r: RunState) -> RunState | None:
            if r.branch is not None or r.state.terminal:
                return None
            return r.model_copy(update={"branch": branch, "pull_request": ref})

        chosen = await RunStore(self.bus).update(run.id, change) or run
        log.info("run %s lands on %s (pull request: %s)", run.id, chosen.branch, ref)
        return chosen

    async def publish(
        self, ctx: StageContext[Any], run: RunState, config: RunConfig, done: TaskDone | None
    ) -> RunState:
        """Open the run's pull request, or describe the task `done` in it; the run with its
        pull request recorded."""
        head, base, tasks_file = config.branch, config.target_branch, config.tasks_file
        tasks = [t for t in run.tasks_done if done is None or t.id != done.id]
        tasks += [done] if done is not None else []
        async with await self._forge(ctx.project, ctx.secrets) as forge:
            pull = await _current(forge, run.pull_request, head)
            created = False
            if pull is None:
                title = f"DevTeam Runner: tasks from {tasks_file}"
                body = describe("", run.id, tasks, tasks_file, head)
                pull, created = await forge.ensure(head, base, title, body)
            ref = pull.ref()

            def change(r: RunState) -> RunState | None:
                return None if r.pull_request == ref else r.model_copy(update={"pull_request": ref})

            run = await RunStore(self.bus).update(run.id, change) or run
            body = describe(pull.body, run.id, tasks, tasks_file, head)
            if body != pull.body:
                await forge.update_body(pull.number, body)
        log.info("run %s: pull request %s %s", run.id, ref.url, "opened" if created else "updated")
        return run


async def _current(
    forge: ForgeClient, recorded: PullRequestRef | None, head: str
) -> PullRequest | None:
    """The recorded pull request while it is open; None once it is merged (the next task's
    work goes into a new one). Closed without merging, it stops the run: the team said no."""
    if recorded is None:
        return None
    pull = await forge.get(recorded.number)
    if pull.state == "closed":
        raise PermanentError(
            f"pull request #{pull.number} was closed without merging ({pull.url}); the run "
            f"stops (the work stays on {head}: reopen it and resume the run to go on)",
            code=FailureCode.PULL_REQUEST_CLOSED,
        )
    return pull if pull.state == "open" and pull.head == head else None


def _start(run_id: str) -> str:
    return f"<!-- devteam:run {run_id} -->"


def _end(run_id: str) -> str:
    return f"<!-- devteam:end {run_id} -->"


def describe(body: str, run_id: str, tasks: list[TaskDone], tasks_file: str, branch: str) -> str:
    """`body` with the run's section (its tasks: attempts, usage, checks, commit) written in
    place of its earlier one, or added; the rest of `body` is kept as it is."""
    section = _section(run_id, tasks)
    start, end = _start(run_id), _end(run_id)
    at, until = body.find(start), body.find(end)
    if at >= 0 and until > at:
        text = body[:at] + section + body[until + len(end) :]
    elif body.strip():
        text = f"{body.rstrip()}\n\n{section}\n"
    else:
        text = (
            f"Work of DevTeam Runner from `{_cell(tasks_file)}`, on `{_cell(branch)}`: one "
            "commit per task, with its tick. Every task passed the project's checks before it "
            f"landed.\n\n{section}\n"
        )
    if len(text) > _MAX_BODY:
        text = text[: _MAX_BODY - 40] + "\n\n(description cut: too long)\n"
    return text


def _section(run_id: str, tasks: list[TaskDone]) -> str:
    total = sum((t.usage for t in tasks), Usage())
    rows = [
        "| Task | Title | Attempts | Tokens | Cost | Checks | Commit |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in tasks:
        checks = ", ".join(f"`{_cell(c)}`" for c in t.checks) or "none"
        rows.append(
            f"| `{_cell(t.id)}` | {_cell(t.title)} | {t.attempts} | {_tokens(t.usage)} | "
            f"{_cost(t.usage)} | {checks} | `{t.commit[:12]}` |"
        )
    head = f"**Run `{run_id}`**: {len(tasks)} task(s), {_tokens(total)} tokens, {_cost(total)}"
    return "\n".join([_start(run_id), head, "", *rows, _end(run_id)])


def _tokens(usage: Usage) -> str:
    return f"{usage.prompt_tokens + usage.completion_tokens:,}"


def _cost(usage: Usage) -> str:
    return "n/a" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"


def _cell(text: str) -> str:
    """`text` safe in a table cell and in code spans: one line, no pipes or backticks."""
    return " ".join(text.split()).replace("|", "\\|").replace("`", "'")[:200]
