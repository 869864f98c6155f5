"""`GET /v1/audit`: the audit stream, to an admin for every tenant, to a tenant its own."""

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from nats.js import api
from pydantic import ValidationError

from devteam_bus.connection import Bus
from devteam_contracts.audit import AuditFrame, AuditPage, parse_audit
from devteam_contracts.ids import is_safe_id
from devteam_contracts.subjects import AUDIT_SUBJECTS, STREAM_AUDIT, audit_subject
from devteam_gateway.api.routes.admin import is_admin
from devteam_gateway.deps import BusDep, get_principal

router = APIRouter(prefix="/v1", tags=["audit"])
READ_TIMEOUT_S = 2.0


async def _scope(request: Request, tenant: str | None) -> str | None:
    """The tenant whose records the caller may read; None: every tenant (the admin)."""
    if is_admin(request):
        if tenant is not None and not is_safe_id(tenant):
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_ENTITY,
                [{"loc": ["query", "tenant"], "msg": "not a tenant id", "type": "value_error"}],
            )
        return tenant
    who = await get_principal(request)
    return who.tenant  # a tenant reads its own records, whatever `tenant` says


@router.get("/audit")
async def read_audit(
    request: Request,
    bus: BusDep,
    tenant: str | None = None,
    action: Annotated[str | None, Query(max_length=100)] = None,
    target: Annotated[str | None, Query(max_length=200)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Audit records in order, filtered by time (`since`, `until`), `action` and `target`;
    `after=<seq>` continues where a page ended."""
    since, until = _utc(since), _utc(until)
    scope = await _scope(request, tenant)
    subject = audit_subject(scope) if scope else AUDIT_SUBJECTS
    frames = await _read(bus, subject, after, since)
    page: list[AuditFrame] = []
    for frame in frames:
        r = frame.record
        if (action and r.action != action) or (target and r.target != target):
            continue
        if since and r.at < since:
            continue
        if until and r.at > until:
            break
        page.append(frame)
        if len(page) == limit:
            return AuditPage(records=page, next_after=frame.seq)
    return AuditPage(records=page)


def _utc(at: datetime | None) -> datetime | None:
    """A time without a zone is UTC (every stored time is)."""
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


async def _read(bus: Bus, subject: str, after: int, since: datetime | None) -> list[AuditFrame]:
    if after:
        config = api.ConsumerConfig(
            deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after + 1
        )
    elif since:
        config = api.ConsumerConfig(
            deliver_policy=api.DeliverPolicy.BY_START_TIME,
            opt_start_time=since,
        )
    else:
        config = api.ConsumerConfig(deliver_policy=api.DeliverPolicy.ALL)
    info = await bus.js.stream_info(STREAM_AUDIT)
    if info.state.messages == 0 or after >= info.state.last_seq:
        return []
    sub = await bus.js.subscribe(subject, stream=STREAM_AUDIT, ordered_consumer=True,
                                 config=config)  # fmt: skip
    frames: list[AuditFrame] = []
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=READ_TIMEOUT_S)
            except Exception:  # nothing (more) to read
                break
            with contextlib.suppress(ValidationError):
                record = parse_audit(msg.data)
                frames.append(AuditFrame(seq=msg.metadata.sequence.stream, record=record))
            if msg.metadata.num_pending == 0:
                break
            if len(frames) >= 10_000:  # one page is at most that many before filtering
                break
            await asyncio.sleep(0)
    finally:
        with contextlib.suppress(Exception):
            await sub.unsubscribe()
    return frames
