"""API tokens as the admin API shows them: stored by digest only, each acting as one tenant."""

from datetime import datetime

from pydantic import Field

from devteam_contracts.base import Input, Strict
from devteam_contracts.ids import TenantId


class TokenCreate(Input):
    """`POST /v1/admin/tenants/{tenant}/tokens` body."""

    label: str = Field(default="", max_length=200, description="What the token is for.")


class TokenInfo(Strict):
    """A token without its value: `id` is the start of its digest (as in audit records)."""

    id: str
    tenant: TenantId
    label: str = ""
    created_at: datetime


class TokenCreated(TokenInfo):
    """The answer to creating a token: the only time its value is shown."""

    token: str


class TokenList(Strict):
    """`GET /v1/admin/tenants/{tenant}/tokens`."""

    tokens: list[TokenInfo]
