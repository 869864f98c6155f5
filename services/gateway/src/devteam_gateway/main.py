"""`devteam-gateway`: serve the REST + WebSocket API with uvicorn."""

import uvicorn

from devteam_bus.service import setup_logging
from devteam_gateway.app import create_app
from devteam_gateway.settings import GatewaySettings


def main() -> None:
    """Console script entry point; uvicorn handles SIGTERM/SIGINT gracefully."""
    setup_logging("gateway")
    settings = GatewaySettings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        ws="websockets-sansio",
        # Longer than clients keep idle connections (httpx: 5 s, browsers: more), so a client
        # never reuses a connection the server is closing at that moment.
        timeout_keep_alive=75,
    )
