"""How an attempt ended, as one reason code: judged from git (what changed) and from the
driver's accounting of what the model actually returned, never from Aider's exit code or words.
No I/O, so every code is unit-testable.
"""

from dataclasses import dataclass

from devteam_aider import Accounting
from devteam_contracts.commands import FailedCheck
from devteam_contracts.repoconfig import CONFIG_FILE
from devteam_contracts.runs import AttemptCode
from devteam_contracts.usage import Usage

_AUTH_ERRORS = {"AuthenticationError", "PermissionDeniedError"}


@dataclass(frozen=True)
class Judgement:
    """The attempt's code, a sentence saying what happened, and the HTTP status if any."""

    code: AttemptCode
    detail: str
    http_status: int | None = None


@dataclass(frozen=True)
class GitFacts:
    """What the attempt did to the repository."""

    changed: list[str]  # files changed by this attempt
    touched: list[str]  # files changed by the task so far (base to tip)
    protected: list[str]  # of `touched`, those matched by protected globs
    tip: str | None = None  # the tree's head after the attempt
    examples: tuple[str, ...] = ()  # the edit format's example files it wrote (and we removed)


def _model_failure(accounting: Accounting, request_timeout_s: float) -> Judgement | None:
    edits = accounting.edit_calls
    last = edits[-1] if edits else None
    if last is None or last.ok:
        return None
    status = last.http_status
    if last.error_type in _AUTH_ERRORS or status in (401, 403):
        return Judgement(
            AttemptCode.MODEL_AUTH_ERROR,
            f"the model endpoint refused the API key (HTTP {status or 401})",
            status or 401,
        )
    if last.error_type == "Timeout":
        return Judgement(
            AttemptCode.MODEL_TIMEOUT,
            f"the model did not answer within {request_timeout_s:g} s ({len(edits)} request(s))",
        )
    if last.error_type == "APIConnectionError" or status is None:
        return Judgement(
            AttemptCode.MODEL_HTTP_ERROR,
            f"the model endpoint could not be reached: {last.error or last.error_type}",
        )
    return Judgement(
        AttemptCode.MODEL_HTTP_ERROR,
        f"the model endpoint answered HTTP {status} ({len(edits)} request(s))",
        status,
    )


def judge(
    *,
    cancelled: bool,
    timed_out: bool,
    timeout_s: float,
    git: GitFacts,
    tasks_file: str,
    accounting: Accounting | None,
    request_timeout_s: float,
    died_by_signal: int | None = None,
) -> Judgement:
    """The one reason code of an attempt, in order of precedence: the run ended, the time
    limit struck, what git shows changed, then why nothing changed."""
    if cancelled:
        return Judgement(AttemptCode.CANCELLED, "the run ended while Aider worked")
    if timed_out:
        return Judgement(AttemptCode.TIMEOUT, f"Aider did not finish within {timeout_s:g} s")
    if accounting is not None and accounting.budget_exceeded:
        # (whatever it changed before is not used: the run stops at its budget)
        return Judgement(
            AttemptCode.BUDGET_EXCEEDED,
            f"the budget is spent: {accounting.budget_exceeded}; no model request was started "
            "after that",
        )
    if git.changed:
        if tasks_file in git.touched:
            return Judgement(
                AttemptCode.EDITED_TASKS_FILE,
                f"the implementer edited {tasks_file}, which only DevTeam Runner may change",
            )
        if CONFIG_FILE in git.touched:
            # (it decides what runs with network: a customer changes it by committing it)
            return Judgement(
                AttemptCode.EDITED_CONFIG,
                f"the implementer edited {CONFIG_FILE}, which only the project's people may change",
            )
        if git.protected:
            return Judgement(
                AttemptCode.PROTECTED_PATH,
                f"the implementer changed protected paths: {', '.join(git.protected[:10])}",
            )
        return Judgement(AttemptCode.CHANGED, f"{len(git.changed)} file(s) changed")
    if accounting is None:
        how = f"was killed (signal {died_by_signal})" if died_by_signal else "ended"
        return Judgement(AttemptCode.AIDER_CRASHED, f"Aider {how} without reporting what it did")
    if accounting.crashed:
        return Judgement(AttemptCode.AIDER_CRASHED, f"Aider crashed: {accounting.crashed}")
    if not accounting.edit_calls:
        return Judgement(AttemptCode.AIDER_CRASHED, "Aider stopped before asking the model")
    failure = _model_failure(accounting, request_timeout_s)
    if failure is not None:
        return failure
    if accounting.malformed_responses:
        return Judgement(
            AttemptCode.MALFORMED_EDIT,
            f"the model's edits did not follow the edit format "
            f"({accounting.malformed_responses} malformed response(s))",
        )
    if git.examples:
        return Judgement(
            AttemptCode.NO_CHANGE,
            f"the model only wrote the edit format's example ({', '.join(git.examples)}), "
            "which was removed",
        )
    return Judgement(AttemptCode.NO_CHANGE, "Aider made no change to the repository")


_REPAIR = {
    AttemptCode.NO_CHANGE: "made no change",
    AttemptCode.MALFORMED_EDIT: "answered with edits that did not follow the edit format",
    AttemptCode.AIDER_CRASHED: "ended with Aider crashing",
    AttemptCode.TIMEOUT: "did not finish in time",
}


def repair_failure(check: FailedCheck, attempt: int, judgement: Judgement) -> str:
    """Why the task failed when a repair produced no usable change: what failed, and what the
    repair did, e.g. "`pytest -q` exited with 1 after 3 attempt(s); the last repair made no
    change"."""
    did = _REPAIR.get(judgement.code) or f"failed: {judgement.detail}"
    return f"`{check.command}` {check.outcome} after {attempt} attempt(s); the last repair {did}"


def usage_of(
    accounting: Accounting | None,
    input_usd_per_mtok: float | None,
    output_usd_per_mtok: float | None,
) -> Usage:
    """Tokens and cost of an attempt: cost from the project's prices when it gives them, else
    as the endpoint reported it, else unknown (None)."""
    if accounting is None:
        return Usage()
    prompt, completion = accounting.prompt_tokens, accounting.completion_tokens
    cost = accounting.reported_cost
    if input_usd_per_mtok is not None or output_usd_per_mtok is not None:
        cost = (prompt * (input_usd_per_mtok or 0) + completion * (output_usd_per_mtok or 0)) / 1e6
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=round(cost, 6) if cost is not None else None,
        requests=len(accounting.calls),
    )
