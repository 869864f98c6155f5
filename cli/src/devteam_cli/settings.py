"""What the CLI reads from its environment: `devteam up`'s settings (`UpSettings`), and where
the operator's commands find NATS and their credentials.

`DEVTEAM_NATS_URL` and `DEVTEAM_NATS_CREDENTIALS` win. Without credentials, next to a
`devteam up` (its `stack.json` in `$DEVTEAM_DATA_DIR`, else `./data`) the CLI takes the
stack's NATS URL and the credentials of the identity the command needs: `operator` for
`devteam status|projects|runs|events|audit|tokens`, `provision` for `devteam provision` only.
"""

import json
import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from devteam_bus.nats_auth import Identity
from devteam_bus.settings import BusSettings


class UpSettings(BaseSettings):
    """`devteam up`'s `DEVTEAM_*` variables (its flags win over them); an empty one means the
    default."""

    model_config = SettingsConfigDict(
        env_prefix="DEVTEAM_", extra="ignore", env_ignore_empty=True, hide_input_in_errors=True
    )

    data_dir: Path = Path("data")
    tenant: str = "dev"
    # The services' priority (the untrusted work runs below them, at DEVTEAM_WORK_NICE).
    stage_nice: int = Field(default=5, ge=0, le=19)
    gateway_port: int = Field(default=8080, ge=1, le=65535)
    nats_port: int = Field(default=0, ge=0, le=65535)  # 0: a free one
    gateway_metrics_port: int = Field(default=0, ge=0, le=65535)  # 0: a free one
    api_token: SecretStr | None = None  # none: a new one
    admin_token: SecretStr | None = None  # none: a new one
    aider_python: Path | None = None  # none: `.tools/aider` of this checkout
    toolchain: Path | None = None  # none: `.tools/toolchain/bin` of this checkout, if made
    secrets_key: SecretStr | None = None  # none: `<data>/secrets.key`, made once


def stack_file() -> Path:
    """`stack.json` of the `devteam up` in `$DEVTEAM_DATA_DIR` (default `./data`)."""
    return UpSettings().data_dir / "stack.json"


def cli_settings(identity: Identity) -> BusSettings:
    """The bus settings of an operator command that acts as `identity`."""
    settings = BusSettings()
    if settings.nats_credentials is not None:
        return settings
    try:
        info = json.loads(stack_file().read_text())
    except (OSError, ValueError):
        return settings
    url = info.get("nats_url")
    creds = (info.get("nats_credentials") or {}).get(identity.value)
    if not url or not creds:
        return settings
    if "DEVTEAM_NATS_URL" in os.environ and settings.nats_url != url:
        return settings  # another NATS than this stack's: its credentials would not do
    return settings.model_copy(update={"nats_url": url, "nats_credentials": Path(creds)})
