"""Export every contract model as JSON Schema (checked in under `contracts/schema/`)."""

import json
from pathlib import Path

from pydantic import BaseModel

from devteam_contracts.commands import (
    CompleteCommand,
    ImplementCommand,
    PrepCommand,
    SelectCommand,
    VerifyCommand,
)
from devteam_contracts.events import AuditRecord, Event, EventFrame
from devteam_contracts.projects import Project, ProjectCreate, ProjectPage, ProjectPatch
from devteam_contracts.repoconfig import RepoConfig
from devteam_contracts.runs import RunAccepted, RunCreate, RunPage, RunState
from devteam_contracts.tasks import TaskTree
from devteam_contracts.usage import TenantUsage, TenantUsageView

MODELS: tuple[type[BaseModel], ...] = (
    SelectCommand,
    PrepCommand,
    ImplementCommand,
    VerifyCommand,
    CompleteCommand,
    Event,
    EventFrame,
    AuditRecord,
    ProjectCreate,
    Project,
    ProjectPatch,
    ProjectPage,
    RunCreate,
    RunState,
    RunAccepted,
    RunPage,
    RepoConfig,
    TaskTree,
    TenantUsage,
    TenantUsageView,
)

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"


def render() -> dict[str, str]:
    """File name → JSON text of every model's schema."""
    return {
        f"{m.__name__}.json": json.dumps(m.model_json_schema(), indent=2, sort_keys=True) + "\n"
        for m in MODELS
    }


def main() -> None:
    """Write the schemas to `contracts/schema/`."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for name, text in render().items():
        (SCHEMA_DIR / name).write_text(text)


if __name__ == "__main__":
    main()
