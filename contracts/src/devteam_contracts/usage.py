"""Model usage: tokens and cost of attempts, summed per run and per tenant."""

from datetime import datetime

from pydantic import Field

from devteam_contracts.base import Input, Strict
from devteam_contracts.ids import RunId, TenantId


class Usage(Strict):
    """Tokens and cost of some model calls (every call of an attempt: edits and commit
    messages). `cost_usd` is None when no price is known: the project gives no prices
    (`model.input_usd_per_mtok` / `output_usd_per_mtok`) and the endpoint reports no cost."""

    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    cost_usd: float | None = Field(default=None, ge=0)
    requests: int = Field(default=0, ge=0, description="Model calls made, answered or not.")

    def __sub__(self, other: "Usage") -> "Usage":
        """What `self` has more than `other` (never below zero): a total without one part."""
        cost = None
        if self.cost_usd is not None or other.cost_usd is not None:
            cost = max(0.0, round((self.cost_usd or 0.0) - (other.cost_usd or 0.0), 6))
        return Usage(
            prompt_tokens=max(0, self.prompt_tokens - other.prompt_tokens),
            completion_tokens=max(0, self.completion_tokens - other.completion_tokens),
            cost_usd=cost,
            requests=max(0, self.requests - other.requests),
        )

    def __add__(self, other: "Usage") -> "Usage":
        costs = [c for c in (self.cost_usd, other.cost_usd) if c is not None]
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cost_usd=round(sum(costs), 6) if costs else None,
            requests=self.requests + other.requests,
        )


def total(usages: "list[Usage]") -> Usage:
    """The sum of `usages` (zero usage for none)."""
    result = Usage()
    for usage in usages:
        result = result + usage
    return result


RECENTLY_ENDED = 500
MONTHS_KEPT = 24


def month_of(at: datetime) -> str:
    """The calendar month (UTC) a moment falls in, as `YYYY-MM`."""
    return at.strftime("%Y-%m")


class TenantUsage(Strict):
    """A tenant's usage as stored: ended runs summed in `ended`, active runs by id.

    An active run's entry is overwritten with the run's current total, never incremented, so
    recording the same attempt twice cannot count it twice. When the run ends its total moves
    into `ended`; `recent` keeps the totals of the last `RECENTLY_ENDED` ended runs, so an
    attempt recorded after its run ended (a cancelled one) adds only its difference."""

    tenant: TenantId
    ended: Usage = Field(default_factory=Usage)
    ended_runs: int = Field(default=0, ge=0)
    active: dict[RunId, Usage] = Field(default_factory=dict)
    recent: dict[RunId, Usage] = Field(default_factory=dict)
    months: dict[str, Usage] = Field(
        default_factory=dict,
        description="Usage by calendar month (UTC, `YYYY-MM`; the last 24), counted from when "
        "monthly counts began.",
    )
    updated_at: datetime

    def month(self, at: datetime) -> Usage:
        """The usage of the calendar month `at` falls in."""
        return self.months.get(month_of(at), Usage())

    @property
    def total(self) -> Usage:
        """Ended and active runs together."""
        return total([self.ended, *self.active.values()])

    def with_run(self, run_id: str, usage: Usage, ended: bool, at: datetime) -> "TenantUsage":
        """This record after the run's total became `usage` (and, if `ended`, the run ended)."""
        active, recent = dict(self.active), dict(self.recent)
        summed, runs = self.ended, self.ended_runs
        before = recent.get(run_id) or active.get(run_id) or Usage()
        months, key = dict(self.months), month_of(at)
        months[key] = months.get(key, Usage()) + (usage - before)  # what was spent since
        for old in sorted(months)[:-MONTHS_KEPT]:
            del months[old]
        if run_id in recent:
            summed = summed + (usage - recent[run_id])
            recent[run_id] = usage
        elif ended:
            active.pop(run_id, None)
            summed, runs = summed + usage, runs + 1
            recent[run_id] = usage
            while len(recent) > RECENTLY_ENDED:
                recent.pop(next(iter(recent)))
        else:
            active[run_id] = usage
        return self.model_copy(
            update={"ended": summed, "ended_runs": runs, "active": active, "recent": recent,
                    "months": months, "updated_at": at}
        )  # fmt: skip


class TenantUsageView(Strict):
    """`GET /v1/usage`: the calling tenant's model usage over all its runs."""

    tenant: TenantId
    usage: Usage
    runs: int = Field(description="Runs that made model calls (ended and active).")
    updated_at: datetime | None = None


Left = tuple[int | None, float | None]  # tokens and dollars still allowed (None: no limit)


def left_of(max_tokens: int | None, max_cost_usd: float | None, used: Usage) -> Left:
    """What a budget of `max_tokens` and `max_cost_usd` still allows after `used`."""
    tokens = used.prompt_tokens + used.completion_tokens
    return (
        None if max_tokens is None else max(0, max_tokens - tokens),
        None if max_cost_usd is None else max(0.0, max_cost_usd - (used.cost_usd or 0.0)),
    )


def tightest(*budgets: Left) -> Left:
    """The least of what several budgets still allow, each of tokens and dollars."""
    tokens = [t for t, _ in budgets if t is not None]
    dollars = [d for _, d in budgets if d is not None]
    return (min(tokens) if tokens else None, min(dollars) if dollars else None)


class TenantBudgetSet(Input):
    """`PUT /v1/admin/tenants/{tenant}/budget`: what the tenant may spend per calendar month
    (UTC); null: no limit."""

    monthly_tokens: int | None = Field(
        default=None, ge=1, description="Prompt and completion tokens per month."
    )
    monthly_cost_usd: float | None = Field(
        default=None, gt=0, description="Reported model cost per month, in US dollars."
    )


class TenantBudget(TenantBudgetSet):
    """A tenant's monthly budget as stored."""

    tenant: TenantId
    updated_at: datetime

    def left(self, month: Usage) -> Left:
        """What the tenant may still spend this month: tokens and dollars (None: no limit)."""
        return left_of(self.monthly_tokens, self.monthly_cost_usd, month)

    def spent(self, month: Usage) -> str | None:
        """Why the tenant may not spend more this month, or None."""
        tokens, cost = self.left(month)
        if tokens == 0:
            used = month.prompt_tokens + month.completion_tokens
            return (
                f"tenant {self.tenant} used {used} tokens of its monthly budget of "
                f"{self.monthly_tokens}"
            )
        if cost == 0:
            return (
                f"tenant {self.tenant} spent ${month.cost_usd:.4f} of its monthly budget of "
                f"${self.monthly_cost_usd}"
            )
        return None


class TenantBudgetView(Strict):
    """`GET /v1/admin/tenants/{tenant}/budget`: the budget (null values: no limit) and what the
    tenant has used this calendar month."""

    tenant: TenantId
    monthly_tokens: int | None = None
    monthly_cost_usd: float | None = None
    month: str = Field(description="The calendar month (UTC) `usage` counts: `YYYY-MM`.")
    usage: Usage
    updated_at: datetime | None = Field(default=None, description="When the budget was set.")
