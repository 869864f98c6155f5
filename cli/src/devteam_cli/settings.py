"""Where the operator's commands find NATS and their credentials.

`DEVTEAM_NATS_URL` and `DEVTEAM_NATS_CREDENTIALS` win. Without credentials, next to a
`devteam up` (its `stack.json` in `$DEVTEAM_DATA_DIR`, else `./data`) the CLI takes the
stack's NATS URL and the credentials of the identity the command needs: `operator` for
`devteam status|projects|runs|events|audit|tokens`, `provision` for `devteam provision` only.
"""

import json
import os
from pathlib import Path

from devteam_bus.nats_auth import Identity
from devteam_bus.settings import BusSettings


def stack_file() -> Path:
    """`stack.json` of the `devteam up` in `$DEVTEAM_DATA_DIR` (default `./data`)."""
    return Path(os.environ.get("DEVTEAM_DATA_DIR") or "data") / "stack.json"


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
