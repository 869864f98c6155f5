"""Implement settings."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class ImplementSettings(BaseSettings):
    """Where workspaces live and where Aider's own environment is."""

    model_config = SettingsConfigDict(env_prefix="DEVTEAM_", extra="ignore")

    data_dir: Path = Path("data")
    aider_python: Path = Path(".tools/aider/bin/python")
    aider_edit_format: str = "whole"
