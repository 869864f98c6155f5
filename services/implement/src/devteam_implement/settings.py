"""Implement settings."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ImplementSettings(BaseSettings):
    """Where Aider's own environment is, and how attempts run."""

    model_config = SettingsConfigDict(
        env_prefix="DEVTEAM_", extra="ignore", hide_input_in_errors=True
    )

    aider_python: Path = Path(".tools/aider/bin/python")
    aider_host: bool = Field(
        default=True,
        description="Run attempts as forks of a pre-imported Aider host (else the Aider CLI).",
    )
    aider_retry_s: float = Field(
        default=30.0,
        ge=0,
        le=600,
        description="How long Aider keeps retrying transient model errors (5xx, 429, timeouts) "
        "with doubling delays before the attempt gives up.",
    )
    locate_files: bool = Field(
        default=True,
        description="When a task names no source file, rank the repository's files and put "
        "the best few in the chat (off: only the files the task names).",
    )
