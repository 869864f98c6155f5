"""Gateway settings."""

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values an operator copies from an example and forgets: refused as the admin token in
# production, as is anything this short.
PLACEHOLDERS = frozenset({"changeme", "change-me", "change_me", "admin", "secret", "password",
                          "token", "example", "placeholder", "xxx", "todo"})  # fmt: skip
ADMIN_TOKEN_MIN_CHARS = 24


class GatewaySettings(BaseSettings):
    """Where the gateway listens."""

    model_config = SettingsConfigDict(
        env_prefix="DEVTEAM_GATEWAY_", extra="ignore", hide_input_in_errors=True
    )

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
    # The operator's token for `/v1/admin` (none: no admin API).
    admin_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DEVTEAM_ADMIN_TOKEN", "admin_token")
    )
    production: bool = Field(
        default=False, validation_alias=AliasChoices("DEVTEAM_PRODUCTION", "production")
    )

    @model_validator(mode="after")
    def _no_placeholder_in_production(self) -> "GatewaySettings":
        token = self.admin_token.get_secret_value() if self.admin_token else ""
        weak = token.strip().lower() in PLACEHOLDERS or len(token) < ADMIN_TOKEN_MIN_CHARS
        if self.production and token and weak:
            raise ValueError(
                "DEVTEAM_ADMIN_TOKEN looks like a placeholder (a known example value, or under "
                f"{ADMIN_TOKEN_MIN_CHARS} characters): production refuses it; "
                "make one with `devteam token` or `openssl rand -base64 32`"
            )
        return self
