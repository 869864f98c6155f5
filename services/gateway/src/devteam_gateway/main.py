"""`devteam-gateway`: serve the REST + WebSocket API with uvicorn."""

import logging
import sys

import uvicorn

from devteam_bus.service import setup_logging, startup_problem
from devteam_bus.settings import BusSettings
from devteam_gateway.app import create_app
from devteam_gateway.settings import GatewaySettings


def main() -> None:
    """Console script entry point; uvicorn handles SIGTERM/SIGINT gracefully."""
    setup_logging("gateway")
    problem = startup_problem(BusSettings())
    if problem:
        logging.getLogger("devteam_gateway").error("gateway: %s; not starting", problem)
        sys.exit(2)
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
