"""Forge settings of a worker, from its environment."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ForgeSettings(BaseSettings):
    """How the forge client waits and retries: a refused or unanswered call (5xx, 429, a rate
    limit, the network) is tried `forge_attempts` times with exponential back-off up to
    `forge_max_wait_s` between tries, and no new try starts `forge_deadline_s` after the first
    (a tenant's slow forge holds a selector's slot that long at most, plus one call's
    `forge_timeout_s`); then the run fails with `forge_error`."""

    model_config = SettingsConfigDict(
        env_prefix="DEVTEAM_", extra="ignore", hide_input_in_errors=True
    )

    forge_attempts: int = Field(default=5, ge=1, le=20)
    forge_max_wait_s: float = Field(default=10.0, gt=0, le=300)
    forge_timeout_s: float = Field(default=20.0, gt=0, le=300)
    forge_deadline_s: float = Field(default=45.0, gt=0, le=3600)
