"""Prep settings."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class PrepSettings(BaseSettings):
    """Where workspaces live."""

    model_config = SettingsConfigDict(env_prefix="DEVTEAM_", extra="ignore")

    data_dir: Path = Path("data")
