"""Liveness and readiness."""

from fastapi import APIRouter, HTTPException, status

from devteam_gateway.deps import BusDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(bus: BusDep) -> dict[str, str]:
    """NATS is connected and JetStream answers."""
    if not bus.nc.is_connected:
        why = "reconnecting to NATS" if bus.nc.is_reconnecting else "NATS is not connected"
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, why, {"Retry-After": "2"})
    try:
        await bus.js.account_info()
    except Exception as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"JetStream not answering: {type(exc).__name__}"
        ) from exc
    return {"status": "ready"}
