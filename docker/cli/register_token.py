"""Register a development API token for compose (stop-gap until `devteam provision` can).

`devteam up` registers its dev token itself; `devteam provision` cannot yet (see
docs/docker.md, "Known limits"). Reads `DEVTEAM_API_TOKEN` and `DEVTEAM_TENANT` (default
"dev"); does nothing when no token is given. Idempotent: re-registering a token overwrites it.
"""

import asyncio
import os
import sys

from devteam_bus.connection import connect
from devteam_bus.settings import BusSettings
from devteam_bus.stores import TokenStore


async def register(token: str, tenant: str) -> None:
    """Store the token's digest for `tenant` in the tokens bucket."""
    bus = await connect(BusSettings(), "devteam-compose-token")
    try:
        await TokenStore(bus).add(token, tenant)
    finally:
        await bus.close()


def main() -> int:
    token = os.environ.get("DEVTEAM_API_TOKEN", "")
    tenant = os.environ.get("DEVTEAM_TENANT") or "dev"
    if not token:
        print("no DEVTEAM_API_TOKEN: no development token registered")
        return 0
    if len(token) < 16:
        print("DEVTEAM_API_TOKEN is too short (16 characters at least)", file=sys.stderr)
        return 2
    asyncio.run(register(token, tenant))
    print(f"registered the development API token for tenant {tenant!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
