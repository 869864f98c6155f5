"""The FastAPI application: the only HTTP surface of DevTeam Runner."""

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from prometheus_client import REGISTRY

from devteam_bus.connection import connect
from devteam_bus.publish import request_id
from devteam_bus.settings import BusSettings
from devteam_bus.status import StatusResponder
from devteam_contracts.status import ProcessLoad
from devteam_gateway import dashboard, examples, metrics, problems
from devteam_gateway.api.routes import (
    admin,
    audit,
    events,
    health,
    projects,
    runs,
    secrets,
    steps,
    usage,
)
from devteam_gateway.auth import TokenCache, watch_tokens
from devteam_gateway.feed import Feed
from devteam_gateway.settings import GatewaySettings
from devteam_git.settings import GitSettings
from devteam_tenants.secrets import SecretStore
from devteam_tenants.settings import SecretsSettings
from devteam_tenants.tokens import TokenStore

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def ws_load() -> ProcessLoad:
    return ProcessLoad(
        websocket_clients=int(REGISTRY.get_sample_value("devteam_websocket_clients") or 0)
    )


def create_app(
    settings: GatewaySettings | None = None,
    bus_settings: BusSettings | None = None,
    secrets_settings: SecretsSettings | None = None,
    git_settings: GitSettings | None = None,
) -> FastAPI:
    """Build the app; it connects to NATS on start-up and drains on shutdown. Settings are
    read here, once (the routes find them in `app.state`)."""
    settings = settings or GatewaySettings()
    bus_settings = bus_settings or BusSettings()
    secrets_settings = secrets_settings or SecretsSettings()
    git_settings = git_settings or GitSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        bus = await connect(bus_settings, "gateway")
        app.state.bus = bus
        app.state.tokens = TokenCache(
            TokenStore(bus), settings.token_cache_s, settings.token_cache_entries
        )
        app.state.secrets = SecretStore.from_settings(bus, secrets_settings)
        app.state.feed = feed = Feed(bus, settings.ws_buffer)
        await feed.start()
        background = {
            asyncio.create_task(feed.run()),
            asyncio.create_task(watch_tokens(bus, app.state.tokens)),
            asyncio.create_task(metrics.watch_runs(bus)),
            asyncio.create_task(metrics.watch_loop()),
            asyncio.create_task(
                StatusResponder(bus, "gateway", ws_load, bus_settings.process_name).run(
                    stopping := asyncio.Event()
                )
            ),
        }
        try:
            async with metrics.operator_listener(bus, settings.metrics_host, settings.metrics_port):
                yield
        finally:
            stopping.set()
            for task in background:
                task.cancel()
            await asyncio.wait(background, timeout=2)
            await feed.close()
            await bus.close()

    app = FastAPI(
        title="DevTeam Runner", version="0.1.0", lifespan=lifespan, responses=problems.RESPONSES
    )
    app.state.settings = settings
    app.state.secrets_settings = secrets_settings
    app.state.git_settings = git_settings
    problems.install(app)
    examples.install(app)
    app.add_middleware(problems.BodyLimit, max_bytes=settings.max_body_bytes)
    app.include_router(health.router)
    app.include_router(dashboard.router)
    app.include_router(projects.router)
    app.include_router(runs.router)
    app.include_router(steps.router)
    app.include_router(events.router)
    app.include_router(usage.router)
    app.include_router(secrets.router)
    app.include_router(admin.router)
    app.include_router(audit.router)

    @app.middleware("http")
    async def with_request_id(request: Request, call_next: Any) -> Any:
        """Every request has an id (the client's `X-Request-Id` when sane): audit records
        written for it carry it, and the answer says it."""
        given = request.headers.get("x-request-id", "")
        rid = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            response = await call_next(request)
        finally:
            request_id.reset(token)
        response.headers["X-Request-Id"] = rid
        return response

    return app
