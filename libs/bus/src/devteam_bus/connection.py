"""Connecting to NATS with retry, and the handle every component shares."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import JetStreamContext
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    retry_if_exception_type,
    stop_after_delay,
    stop_before_delay,
    wait_exponential,
)

from devteam_bus.credentials import Credentials, load
from devteam_bus.nats_auth import inbox_prefix
from devteam_bus.settings import BusSettings

log = logging.getLogger(__name__)


# Raised while NATS is away (restarting, electing a leader, the link down): worth retrying.
# A publish to a stream without a leader (a cluster mid-election) is NoStreamResponseError.
TRANSIENT: tuple[type[BaseException], ...] = (
    nats.errors.TimeoutError,
    nats.errors.NoRespondersError,
    nats.js.errors.NoStreamResponseError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.OutboundBufferLimitError,
    nats.js.errors.ServiceUnavailableError,
    TimeoutError,
)
T = TypeVar("T")


class NatsOutageError(nats.errors.TimeoutError):
    """NATS stayed unreachable longer than `DEVTEAM_NATS_OUTAGE_S` (from `Bus.retrying`)."""

    def __str__(self) -> str:  # nats-py's TimeoutError always says just "nats: timeout"
        return str(self.args[0]) if self.args else "NATS unreachable"


@dataclass
class Bus:
    """A connected NATS client and its JetStream context."""

    nc: Client
    js: JetStreamContext
    outage_s: float = 120.0

    async def retrying(self, call: Callable[[], Awaitable[T]], what: str = "NATS call") -> T:
        """`call()`, retried with back-off while NATS is unreachable, for up to `outage_s`
        (`DEVTEAM_NATS_OUTAGE_S`); publishes keep their message ids, so a retry of one that
        did land is dropped as a duplicate. Then `NatsOutageError` (from the last error)."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TRANSIENT),
            wait=wait_exponential(multiplier=0.2, max=5.0),
            stop=stop_before_delay(self.outage_s),
            before_sleep=lambda state: log.warning(
                "%s failed (%s: NATS unreachable?); retrying in %.1fs",
                what, _error_of(state), state.upcoming_sleep,
            ),
        )  # fmt: skip
        try:
            # (iterated, not called: `call` is often a lambda that returns a coroutine, which
            # tenacity's call form would take for a plain function and never await)
            async for attempt in retrying:
                with attempt:
                    return await call()
        except RetryError as exc:
            last = exc.last_attempt.exception()
            if isinstance(last, NatsOutageError):  # a nested retry gave up already
                raise last from None
            raise NatsOutageError(
                f"{what}: NATS unreachable for over {self.outage_s:.0f} s "
                f"({type(last).__name__}: {last})"
            ) from last
        raise AssertionError("unreachable: tenacity returns or raises")

    async def close(self) -> None:
        """Drain subscriptions and close the connection."""
        if not self.nc.is_closed:
            await self.nc.drain()


class NatsAuthError(nats.errors.Error):
    """NATS refused this process's credentials (or it asks for some and none were given)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "NATS refused the credentials"


def _error_logger(who: str, refused: asyncio.Event) -> Callable[[Exception], Awaitable[None]]:
    """nats-py's error callback. A permission violation is a bug in the permissions
    (nats_auth.py) or an attempt at something this identity must not do: say so loudly. A
    refused sign-in sets `refused` (nats-py would retry it for ever)."""

    async def on_error(exc: Exception) -> None:
        text = str(exc)
        if "permissions violation" in text.lower():
            log.error("NATS refused %s: %s", who, text)
        elif isinstance(exc, nats.errors.AuthorizationError) or "authorization violation" in (
            text.lower()
        ):
            log.error("NATS refused the credentials of %s: %s", who, text)
            refused.set()
        else:
            log.warning("NATS error (%s): %s: %s", who, type(exc).__name__, text)

    return on_error


async def connect(settings: BusSettings, name: str) -> Bus:
    """Connect to `settings.nats_url`, retrying until `connect_timeout_s` has passed.

    Services may start before NATS is ready (compose, supervisors), so the first connection
    is retried with a short back-off; after that nats-py reconnects on its own. With
    `settings.nats_credentials` the process signs in as the identity in that file, with that
    identity's inbox prefix. Credentials the server refuses (or none where it asks for some)
    are `NatsAuthError`, at once.
    """
    creds: Credentials | None = None
    options: dict[str, Any] = {
        "name": name,
        "connect_timeout": 2,
        "max_reconnect_attempts": -1,
        "reconnect_time_wait": 0.5,
        "allow_reconnect": True,
    }
    who = name
    if settings.nats_credentials is not None:
        creds = await asyncio.to_thread(load, settings.nats_credentials)
        who = f"{name} (identity {creds.identity.value})"
        options.update(nkeys_seed_str=creds.seed, inbox_prefix=inbox_prefix(creds.identity))
    servers = [url.strip() for url in settings.nats_url.split(",") if url.strip()]
    retrying = AsyncRetrying(
        retry=retry_if_exception_type((OSError, TimeoutError, nats.errors.NoServersError)),
        wait=wait_exponential(multiplier=0.1, max=2.0),
        stop=stop_after_delay(settings.connect_timeout_s),
        before_sleep=lambda state: log.info(
            "NATS not reachable yet (%s); retrying in %.1fs",
            _error_of(state), state.upcoming_sleep,
        ),
        reraise=True,
    )  # fmt: skip
    nc: Client = await retrying(_connect_once, servers, who, settings, options)
    return Bus(nc=nc, js=nc.jetstream(), outage_s=settings.nats_outage_s)


async def _connect_once(
    servers: list[str], who: str, settings: BusSettings, options: dict[str, Any]
) -> Client:
    """One connection attempt: the client, `NatsAuthError` at once when the server refuses
    the credentials, or the connection error (retried by `connect`)."""
    nc, refused = Client(), asyncio.Event()
    connecting = asyncio.ensure_future(
        nc.connect(servers, error_cb=_error_logger(who, refused), **options)
    )
    denied = asyncio.ensure_future(refused.wait())
    try:
        await asyncio.wait({connecting, denied}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        denied.cancel()
    if not connecting.done():
        connecting.cancel()
        with contextlib.suppress(BaseException):
            await connecting
        with contextlib.suppress(Exception):
            await nc.close()
        where = settings.nats_credentials or "no credentials (set DEVTEAM_NATS_CREDENTIALS)"
        raise NatsAuthError(f"NATS at {settings.nats_url} refused {who}: {where}")
    connecting.result()
    return nc


def _error_of(state: RetryCallState) -> str:
    error = state.outcome.exception() if state.outcome else None
    return f"{type(error).__name__}: {error}"
