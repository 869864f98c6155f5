"""Implement settings."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class ImplementSettings(BaseSettings):
    """Where Aider's own environment is, and how it edits."""

    model_config = SettingsConfigDict(env_prefix="DEVTEAM_", extra="ignore")

    aider_python: Path = Path(".tools/aider/bin/python")
    aider_edit_format: str = "whole"
