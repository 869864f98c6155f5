"""Selector settings."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class SelectorSettings(BaseSettings):
    """Where workspaces live (shared by prep, implement, verify and complete)."""

    model_config = SettingsConfigDict(env_prefix="DEVTEAM_", extra="ignore")

    data_dir: Path = Path("data")
    failed_branch_retention_hours: float = 168.0  # task branches of failed tasks, for inspection
