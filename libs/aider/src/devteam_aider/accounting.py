"""What one attempt asked of the model and what came back, as the driver recorded it.

The driver (`aider_driver.py`, in Aider's environment) writes this as JSON after every attempt,
whichever way it ran (host or CLI). Parsing is strict about types and lenient about absence: a
field the driver could not fill is None, and an unreadable file is no accounting at all, which
the caller treats as Aider having crashed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VERSION = 1


@dataclass(frozen=True)
class ModelCall:
    """One completion request: an edit request, a commit message, or something else."""

    kind: str
    ok: bool
    duration_s: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reported_cost: float | None = None
    estimated: bool = False
    error: str | None = None
    error_type: str | None = None
    http_status: int | None = None


@dataclass(frozen=True)
class Accounting:
    """The attempt's model calls plus Aider's own counters."""

    calls: list[ModelCall] = field(default_factory=list)
    malformed_responses: int = 0
    exhausted_context: int = 0
    reflections: int = 0
    edited_files: list[str] = field(default_factory=list)
    crashed: str | None = None
    # Set when the driver refused a model request: the run's budget was spent (what it says).
    budget_exceeded: str | None = None

    @property
    def edit_calls(self) -> list[ModelCall]:
        """Requests of the main model for edits (not commit messages)."""
        return [c for c in self.calls if c.kind == "edit"]

    @property
    def edit_requests(self) -> int:
        """Edit requests the model answered."""
        return sum(1 for c in self.edit_calls if c.ok)

    @property
    def model_s(self) -> float:
        """Time spent waiting on the model, over every call."""
        return sum(c.duration_s for c in self.calls)

    @property
    def prompt_tokens(self) -> int:
        return sum(c.prompt_tokens or 0 for c in self.calls)

    @property
    def completion_tokens(self) -> int:
        return sum(c.completion_tokens or 0 for c in self.calls)

    @property
    def reported_cost(self) -> float | None:
        """Cost as the endpoint reported it, when every answered call reported one."""
        answered = [c for c in self.calls if c.ok]
        if not answered or any(c.reported_cost is None for c in answered):
            return None
        return sum(c.reported_cost or 0.0 for c in answered)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_accounting(data: Any) -> Accounting | None:
    """The accounting in `data` (decoded JSON), or None when it is not the driver's format."""
    if not isinstance(data, dict) or data.get("v") != VERSION:
        return None
    calls = []
    for raw in data.get("calls") or []:
        if not isinstance(raw, dict):
            continue
        calls.append(
            ModelCall(
                kind=_str(raw.get("kind")) or "other",
                ok=raw.get("ok") is True,
                duration_s=_float(raw.get("duration_s")) or 0.0,
                prompt_tokens=_int(raw.get("prompt_tokens")),
                completion_tokens=_int(raw.get("completion_tokens")),
                reported_cost=_float(raw.get("reported_cost")),
                estimated=raw.get("estimated") is True,
                error=_str(raw.get("error")),
                error_type=_str(raw.get("error_type")),
                http_status=_int(raw.get("http_status")),
            )
        )
    edited = data.get("edited_files")
    return Accounting(
        calls=calls,
        malformed_responses=_int(data.get("malformed_responses")) or 0,
        exhausted_context=_int(data.get("exhausted_context")) or 0,
        reflections=_int(data.get("reflections")) or 0,
        edited_files=[f for f in edited if isinstance(f, str)] if isinstance(edited, list) else [],
        crashed=_str(data.get("crashed")),
        budget_exceeded=_str(data.get("budget_exceeded")),
    )


def read_accounting(path: Path) -> Accounting | None:
    """Read the driver's accounting file; None when it is missing or unreadable."""
    try:
        return parse_accounting(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None
