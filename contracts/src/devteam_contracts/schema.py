"""Export every contract model as JSON Schema (checked in under `contracts/schema/`).

Unions (`Event`, the audit records) are exported as discriminated unions: `oneOf` with a
`discriminator` on the field that tells the members apart (`type`, `action`).
"""

import json
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from devteam_contracts.commands import (
    CompleteCommand,
    ImplementCommand,
    PrepCommand,
    SelectCommand,
    VerifyCommand,
)
from devteam_contracts.events import AuditRecord, Event, EventFrame, Heartbeat
from devteam_contracts.projects import Project, ProjectCreate, ProjectPage, ProjectPatch
from devteam_contracts.repoconfig import RepoConfig
from devteam_contracts.runs import RunAccepted, RunCreate, RunPage, RunState
from devteam_contracts.status import StatusReport
from devteam_contracts.tasks import TasksReply, TasksRequest, TaskTree
from devteam_contracts.usage import TenantUsage, TenantUsageView

# Name → the model (or annotated union) whose schema is `<name>.json`.
MODELS: dict[str, Any] = {
    "SelectCommand": SelectCommand,
    "PrepCommand": PrepCommand,
    "ImplementCommand": ImplementCommand,
    "VerifyCommand": VerifyCommand,
    "CompleteCommand": CompleteCommand,
    "Event": Event,
    "EventFrame": EventFrame,
    "Heartbeat": Heartbeat,
    "AuditRecord": AuditRecord,
    "ProjectCreate": ProjectCreate,
    "Project": Project,
    "ProjectPatch": ProjectPatch,
    "ProjectPage": ProjectPage,
    "RunCreate": RunCreate,
    "RunState": RunState,
    "RunAccepted": RunAccepted,
    "RunPage": RunPage,
    "RepoConfig": RepoConfig,
    "TaskTree": TaskTree,
    "TasksRequest": TasksRequest,
    "TasksReply": TasksReply,
    "StatusReport": StatusReport,
    "TenantUsage": TenantUsage,
    "TenantUsageView": TenantUsageView,
}

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"


def schema_of(name: str) -> dict[str, Any]:
    """The JSON Schema of `MODELS[name]`, titled `name`."""
    schema: dict[str, Any] = TypeAdapter(MODELS[name]).json_schema()
    return {"title": name, **schema}


def render() -> dict[str, str]:
    """File name → JSON text of every model's schema."""
    return {
        f"{name}.json": json.dumps(schema_of(name), indent=2, sort_keys=True) + "\n"
        for name in MODELS
    }


def main() -> None:
    """Write the schemas to `contracts/schema/` (and remove ones no longer exported)."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    rendered = render()
    for stale in SCHEMA_DIR.glob("*.json"):
        if stale.name not in rendered:
            stale.unlink()
    for name, text in rendered.items():
        (SCHEMA_DIR / name).write_text(text)


if __name__ == "__main__":
    main()
