"""Tenant secrets: named values a tenant's projects refer to (`model.api_key_secret`,
`credentials.token_secret`, `credentials.ssh_key_secret`). Values are write-only through the
API and encrypted at rest; only their names and times are ever shown.

Worker environment variables may stand in for secrets only where the operator allow-lists
them for the tenant: `DEVTEAM_ENV_SECRETS="dev:OPENAI_API_KEY,GIT_TOKEN;acme:ACME_KEY"`.
"""

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from devteam_contracts.base import Input, Strict

SECRET_NAME = r"^[A-Za-z][A-Za-z0-9_-]{0,63}$"  # noqa: S105 - a pattern, not a value
SecretName = Annotated[str, StringConstraints(pattern=SECRET_NAME)]
MAX_SECRET_BYTES = 64 * 1024
ENV_SECRETS_VAR = "DEVTEAM_ENV_SECRETS"
# Never a tenant's, whatever the allow-list says: the service's own settings and keys.
RESERVED_ENV_PREFIX = "DEVTEAM_"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


def _check_env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        raise ValueError("must be an environment variable name")
    return value


# A variable of the workers' environment a project names (allow-listed per tenant).
EnvName = Annotated[str, AfterValidator(_check_env_name)]


def is_secret_name(name: str) -> bool:
    """True for a valid secret name."""
    return re.match(SECRET_NAME, name) is not None


class SecretPut(Input):
    """`PUT /v1/secrets/{name}` body."""

    value: str = Field(min_length=1, max_length=MAX_SECRET_BYTES)


class SecretInfo(Strict):
    """A secret as listed: never its value."""

    name: SecretName
    created_at: datetime
    updated_at: datetime


class SecretList(Strict):
    """`GET /v1/secrets`."""

    secrets: list[SecretInfo]


def parse_env_allowlist(raw: str | None) -> dict[str, frozenset[str]]:
    """`"dev:A,B;acme:C"` → {"dev": {A, B}, "acme": {C}}; `ValueError` on a malformed entry
    or a reserved (`DEVTEAM_*`) name."""
    allowed: dict[str, set[str]] = {}
    for part in (raw or "").replace("\n", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        tenant, sep, names = part.partition(":")
        tenant = tenant.strip()
        if not sep or not tenant:
            raise ValueError(f"{ENV_SECRETS_VAR}: expected TENANT:VAR[,VAR…], got {part!r}")
        for name in (n.strip() for n in names.split(",")):
            if not _ENV_NAME.match(name) or name.startswith(RESERVED_ENV_PREFIX):
                raise ValueError(f"{ENV_SECRETS_VAR}: {name!r} cannot be a tenant's secret")
            allowed.setdefault(tenant, set()).add(name)
    return {t: frozenset(n) for t, n in allowed.items()}


def env_allowed(allowlist: dict[str, frozenset[str]], tenant: str, name: str) -> bool:
    """May `tenant`'s projects use the worker variable `name`?"""
    return not name.startswith(RESERVED_ENV_PREFIX) and name in allowlist.get(tenant, frozenset())
