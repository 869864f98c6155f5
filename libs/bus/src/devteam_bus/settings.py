"""Bus settings, from `DEVTEAM_*` environment variables."""

import os
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from devteam_contracts.subjects import Stage

# Commands a worker settles at once unless `DEVTEAM_<STAGE>_CONCURRENCY` says otherwise:
# implement mostly waits on a model, verify is CPU-bound, the others are short git work.
DEFAULT_CONCURRENCY = 4
STAGE_CONCURRENCY = {Stage.IMPLEMENT: 8, Stage.VERIFY: os.cpu_count() or 1}


class BusSettings(BaseSettings):
    """How a process reaches NATS and how its stage consumer behaves."""

    model_config = SettingsConfigDict(
        env_prefix="DEVTEAM_", extra="ignore", hide_input_in_errors=True
    )

    # One URL, or a comma-separated list of a cluster's servers (any one of them will do).
    nats_url: str = "nats://127.0.0.1:4222"
    # This process's NATS credentials: the path of its identity's nkey seed file (made by
    # `devteam up` or `devteam nats-credentials`), never the seed itself. None: connect
    # without credentials (a server that asks for none, e.g. a test's).
    nats_credentials: Path | None = None
    # Replicas of every stream and bucket `provision` creates (3 on a three-node cluster).
    nats_replicas: int = Field(default=1, ge=1, le=5)
    connect_timeout_s: float = 30.0
    ack_wait_s: float = Field(default=30.0, gt=1)
    max_deliver: int = Field(default=5, ge=1)
    max_ack_pending: int = Field(default=64, ge=1)
    nak_delay_s: float = Field(default=2.0, ge=0)
    shutdown_grace_s: float = Field(default=30.0, ge=0)
    events_max_age_days: float = 30.0
    duplicate_window_s: float = 120.0
    # How long finished work retries its publishes and state writes while NATS is away.
    nats_outage_s: float = Field(default=120.0, ge=0)
    # This process's name in `devteam status` (`devteam up` names its replicas); else
    # `<service>-<pid>`.
    process_name: str | None = None
    # `DEVTEAM_<STAGE>_CONCURRENCY`: commands a stage's worker settles at once (None: the
    # stage's default, `STAGE_CONCURRENCY`).
    select_concurrency: int | None = None
    complete_concurrency: int | None = None
    prep_concurrency: int | None = None
    implement_concurrency: int | None = None
    verify_concurrency: int | None = None

    @field_validator(
        "select_concurrency",
        "complete_concurrency",
        "prep_concurrency",
        "implement_concurrency",
        "verify_concurrency",
        mode="before",
    )
    @classmethod
    def _concurrency(cls, raw: Any, info: ValidationInfo) -> int | None:
        var = f"DEVTEAM_{(info.field_name or '').upper()}"
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None  # blank: the default
        try:
            value = int(raw) if not isinstance(raw, str) else int(raw.strip())
        except ValueError:
            raise ValueError(f"{var} must be a whole number ≥ 1, not {raw!r}") from None
        if not 1 <= value <= 256:
            raise ValueError(f"{var} must be between 1 and 256, not {value}")
        return value

    def concurrency(self, stage: Stage) -> int:
        """The stage's concurrency limit: `DEVTEAM_<STAGE>_CONCURRENCY`, else its default."""
        configured: int | None = getattr(self, f"{stage.value}_concurrency")
        return configured or STAGE_CONCURRENCY.get(stage, DEFAULT_CONCURRENCY)
