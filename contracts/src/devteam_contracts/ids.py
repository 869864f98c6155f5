"""Identifier types shared by every message.

Tenant, project and run ids become NATS subject tokens, KV keys and directory names, so they are
restricted to lowercase letters, digits and dashes: no dots, wildcards, slashes or spaces.
"""

import re
import secrets
from typing import Annotated

from pydantic import StringConstraints

SAFE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
# Task ids come from the customer's task list (`1.2`, `T-12`, `#12`, derived `1.2.3` or
# `~1.2` when the derived id collides with an explicit one).
TASK_ID_PATTERN = r"^[A-Za-z0-9#~][A-Za-z0-9#._~-]{0,63}$"

TenantId = Annotated[str, StringConstraints(pattern=SAFE_ID_PATTERN)]
ProjectId = Annotated[str, StringConstraints(pattern=SAFE_ID_PATTERN)]
RunId = Annotated[str, StringConstraints(pattern=SAFE_ID_PATTERN)]
TaskId = Annotated[str, StringConstraints(pattern=TASK_ID_PATTERN)]

_SAFE = re.compile(SAFE_ID_PATTERN)


def is_safe_id(value: str) -> bool:
    """True when `value` may be used as a tenant, project or run id (subject/KV/path safe)."""
    return bool(_SAFE.match(value))


def new_project_id() -> str:
    """A fresh random project id."""
    return "prj-" + secrets.token_hex(6)


def new_run_id() -> str:
    """A fresh random run id."""
    return "run-" + secrets.token_hex(6)
