"""Bus settings, from `DEVTEAM_*` environment variables."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BusSettings(BaseSettings):
    """How a process reaches NATS and how its stage consumer behaves."""

    model_config = SettingsConfigDict(env_prefix="DEVTEAM_", extra="ignore")

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
