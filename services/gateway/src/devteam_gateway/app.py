"""The FastAPI application: the only HTTP surface of DevTeam Runner."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from devteam_bus.connection import connect
from devteam_bus.secrets import SecretStore
from devteam_bus.settings import BusSettings
from devteam_bus.stores import TokenStore
from devteam_gateway import problems
from devteam_gateway.api.routes import admin, events, health, projects, runs, secrets, usage
from devteam_gateway.auth import TokenCache, watch_tokens
from devteam_gateway.settings import GatewaySettings


def create_app(
    settings: GatewaySettings | None = None, bus_settings: BusSettings | None = None
) -> FastAPI:
    """Build the app; it connects to NATS on start-up and drains on shutdown."""
    settings = settings or GatewaySettings()
    bus_settings = bus_settings or BusSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        bus = await connect(bus_settings, "gateway")
        app.state.bus = bus
        app.state.tokens = TokenCache(
            TokenStore(bus), settings.token_cache_s, settings.token_cache_entries
        )
        app.state.secrets = SecretStore.from_settings(bus, bus_settings)
        watch = asyncio.create_task(watch_tokens(bus, app.state.tokens))
        try:
            yield
        finally:
            watch.cancel()
            await asyncio.wait({watch}, timeout=2)
            await bus.close()

    app = FastAPI(title="DevTeam Runner", version="0.1.0", lifespan=lifespan)
    problems.install(app)
    app.add_middleware(problems.BodyLimit, max_bytes=settings.max_body_bytes)
    app.include_router(health.router)
    app.include_router(projects.router)
    app.include_router(runs.router)
    app.include_router(events.router)
    app.include_router(usage.router)
    app.include_router(secrets.router)
    app.include_router(admin.router)
    return app
