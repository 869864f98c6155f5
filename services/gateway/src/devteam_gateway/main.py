"""`devteam-gateway`: serve the REST + WebSocket API with uvicorn."""

import logging
import sys

import uvicorn

from devteam_bus.service import setup_logging
from devteam_bus.settings import BusSettings
from devteam_gateway.app import create_app
from devteam_gateway.settings import GatewaySettings
from devteam_git.settings import GitSettings
from devteam_tenants.settings import SecretsSettings


def main() -> None:
    """Console script entry point; uvicorn handles SIGTERM/SIGINT gracefully."""
    setup_logging("gateway")
    try:  # settings that cannot work stop the gateway here, with the variable and why
        settings = GatewaySettings()
        app = create_app(settings, BusSettings(), SecretsSettings(), GitSettings())
    except ValueError as exc:
        logging.getLogger("devteam_gateway").error("gateway: %s; not starting", exc)
        sys.exit(2)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        ws="websockets-sansio",
        # Longer than clients keep idle connections (httpx: 5 s, browsers: more), so a client
        # never reuses a connection the server is closing at that moment.
        timeout_keep_alive=75,
    )
