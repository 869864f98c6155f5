"""The tenant secret store's settings, from `DEVTEAM_*` environment variables: built once when
a process starts, refused then when they cannot work."""

import base64
import binascii
import os

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from devteam_contracts.secrets import parse_env_allowlist

KEY_BYTES = 32


class SecretsKeyError(ValueError):
    """No usable secrets key."""


def parse_key(raw: str | None) -> bytes | None:
    """The AES key from its base64 form (None when unset); `SecretsKeyError` when malformed."""
    if not raw or not raw.strip():
        return None
    try:
        key = base64.b64decode(raw.strip(), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise SecretsKeyError("DEVTEAM_SECRETS_KEY is not base64") from None
    if len(key) != KEY_BYTES:
        raise SecretsKeyError(f"DEVTEAM_SECRETS_KEY must hold {KEY_BYTES} bytes, not {len(key)}")
    return key


def new_key() -> str:
    """A fresh key in the form `DEVTEAM_SECRETS_KEY` takes."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


class SecretsSettings(BaseSettings):
    """The secret store's key, and the worker variables the operator lets tenants use."""

    model_config = SettingsConfigDict(
        env_prefix="DEVTEAM_", extra="ignore", hide_input_in_errors=True
    )

    # The tenant secret store's AES-256 key (base64); production refuses to run without one.
    secrets_key: SecretStr | None = None
    production: bool = False
    # `TENANT:VAR[,VAR…]; …`: worker variables a tenant's project may name instead of a secret.
    env_secrets: str | None = Field(default=None, repr=False)

    @model_validator(mode="after")
    def _usable(self) -> "SecretsSettings":
        if self.key is None and self.production:
            raise ValueError("DEVTEAM_SECRETS_KEY is required in production (DEVTEAM_PRODUCTION)")
        self.allowlist  # noqa: B018 - a malformed allow-list is refused at start
        return self

    @property
    def key(self) -> bytes | None:
        """The AES key (None when unset); `SecretsKeyError` when malformed."""
        return parse_key(self.secrets_key.get_secret_value() if self.secrets_key else None)

    @property
    def allowlist(self) -> dict[str, frozenset[str]]:
        """`DEVTEAM_ENV_SECRETS`, parsed."""
        return parse_env_allowlist(self.env_secrets)
