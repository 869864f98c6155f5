"""Gateway settings."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    """Where the gateway listens."""

    model_config = SettingsConfigDict(env_prefix="DEVTEAM_GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8080
    token_cache_s: float = 30.0
    token_cache_entries: int = Field(default=10_000, ge=1)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Frames an event WebSocket may fall behind before it is closed with 1013.
    ws_buffer: int = Field(default=1000, ge=10)
    # The operator-only listener for /metrics (it names every tenant and its usage): loopback
    # by default, never the API's port; 0 turns it off.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=9464, ge=0, le=65535)
