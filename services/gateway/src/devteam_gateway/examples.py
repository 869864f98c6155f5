"""Examples for the OpenAPI document: every JSON body the API takes or answers has one.

Each example is validated by its model when this module is imported (a request example as
the JSON a client sends, an answer as the server would serialise it), so an example cannot
drift from the contract without the gateway failing to start and the tests failing.
"""

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from devteam_contracts.audit import AuditPage
from devteam_contracts.projects import Project, ProjectCreate, ProjectPage, ProjectPatch
from devteam_contracts.repoconfig import ProjectEnvironment
from devteam_contracts.runs import RunAccepted, RunCreate, RunPage, RunState, StepCall, StepStart
from devteam_contracts.secrets import SecretInfo, SecretList, SecretPut
from devteam_contracts.tasks import TaskTree
from devteam_contracts.tokens import TokenCreate, TokenCreated, TokenList
from devteam_contracts.usage import TenantBudgetSet, TenantBudgetView, TenantUsageView
from devteam_gateway.api.routes.events import EventPage

AT = "2026-12-01T09:30:00Z"
PROJECT_ID, RUN_ID, OLD_RUN_ID = "prj-3f9c2a71b0de", "run-8e41c07d5a22", "run-1c5e9b3a7f60"
MODEL = {
    "name": "openai/gpt-4o-mini",
    "api_base": "https://llm.example.com/v1",
    "api_key_secret": "model-key",
}
REGISTRATION = {
    "name": "billing-service",
    "repo_url": "https://git.example.com/acme/billing.git",
    "target_branch": "main",
    "verify": ["pytest -q"],
    "credentials": {"username": "devteam", "token_secret": "git-token"},
    "model": MODEL,
    "limits": {"repair_attempts": 2},
}
LAND = {
    "mode": "pull_request",
    "forge": "github",
    "api_base": "https://api.github.com",
    "repository": "acme/billing",
    "token_secret": "gh-token",
}
PROJECT = {**REGISTRATION, "id": PROJECT_ID, "tenant": "acme", "created_at": AT}
USAGE = {"prompt_tokens": 5120, "completion_tokens": 830, "cost_usd": 0.0021, "requests": 3}
PAUSED_RUN = {
    "id": RUN_ID,
    "tenant": "acme",
    "project_id": PROJECT_ID,
    "mode": "step",
    "state": "paused",
    "created_at": AT,
    "updated_at": "2026-12-01T09:30:04Z",
    "current": {"id": "2.1", "title": "Add invoice totals", "stage": "verify", "attempt": 1},
    "task_id": "2.1",
    "next_step": "implement",
    "paused_reason": "verify failed: 1 of 12 tests (test_totals_round_half_up)",
    "attempts_total": 1,
    "usage": USAGE,
}
COMPLETED_RUN = {
    "id": OLD_RUN_ID,
    "tenant": "acme",
    "project_id": PROJECT_ID,
    "mode": "continuous",
    "state": "completed",
    "created_at": "2026-11-30T16:02:11Z",
    "updated_at": "2026-11-30T16:03:40Z",
    "tasks_done": [
        {
            "id": "1.1",
            "title": "Parse invoice lines",
            "commit": "4b1e0c9d2f7a",
            "checks": ["pytest -q"],
        },
        {
            "id": "1.2",
            "title": "Reject negative quantities",
            "commit": "a93f51e0c6b2",
            "attempts": 2,
            "usage": USAGE,
            "checks": ["pytest -q"],
        },
    ],
    "branch": f"devteam/{OLD_RUN_ID}",
    "pull_request": {"number": 42, "url": "https://github.com/acme/billing/pull/42"},
    "selections": 3,
    "attempts_total": 3,
    "usage": USAGE,
}
EVENT = {
    "type": "task.verified",
    "run_id": OLD_RUN_ID,
    "tenant": "acme",
    "project_id": PROJECT_ID,
    "at": "2026-11-30T16:03:38Z",
    "stage": "verify",
    "task_id": "1.2",
    "attempt": 1,
    "message": "checks passed",
    "data": {"duration_s": 3.2, "head_sha": "a93f51e0c6b2d4f8e1a7b3c5d9e2f4a6b8c0d1e3"},
}

REQUESTS: dict[type[BaseModel], list[dict[str, Any]]] = {
    ProjectCreate: [
        REGISTRATION,
        {"name": "calc", "repo_url": "/srv/repos/calc", "model": MODEL},
        {**REGISTRATION, "land": LAND},
    ],
    ProjectPatch: [
        {"target_branch": "develop", "limits": {"repair_attempts": 3}},
        {"land": LAND, "limits": {"run_max_tokens": 400_000}},
    ],
    RunCreate: [{}, {"mode": "single"}, {"mode": "continuous", "max_tasks": 5}],
    StepStart: [{}, {"task_id": "2.1"}],
    StepCall: [{"run_id": RUN_ID}],
    SecretPut: [{"value": "sk-live-…"}],
    TokenCreate: [{"label": "dashboard for the billing team"}],
    TenantBudgetSet: [{"monthly_tokens": 2_000_000, "monthly_cost_usd": 50.0}],
}
ENVIRONMENT = {
    "kind": "python",
    "setup": ["pip install -r requirements.txt -e '.[test]' pytest"],
    "setup_from": "detected",
    "verify": ["python -m pytest"],
    "verify_from": "detected",
    "venv": True,
    "manifests": ["pyproject.toml", "requirements.txt"],
    "reasons": [
        "pyproject.toml [tool.pytest.ini_options]: the checks are `python -m pytest`.",
        "requirements.txt, pyproject.toml [project]: setup installs the requirements and the "
        "project (editable, with its test extra) in a venv, plus pytest.",
    ],
}
ANSWERS: dict[type[BaseModel], list[dict[str, Any]]] = {
    Project: [PROJECT],
    ProjectEnvironment: [ENVIRONMENT],
    ProjectPage: [{"items": [PROJECT], "total": 1, "next_offset": None}],
    TaskTree: [
        {
            "project_id": PROJECT_ID,
            "branch": "main",
            "commit": "a93f51e0c6b2",
            "tasks_file": "tasks_list.md",
            "status": "task",
            "next_task": "2.1",
            "tasks": [
                {
                    "id": "1",
                    "id_derived": False,
                    "title": "Invoices",
                    "state": "done",
                    "depth": 0,
                    "line": 3,
                },
                {
                    "id": "2.1",
                    "id_derived": False,
                    "title": "Add invoice totals",
                    "state": "open",
                    "depth": 1,
                    "line": 8,
                    "selectable": True,
                },
            ],
            "environment": ENVIRONMENT,
        }
    ],
    RunAccepted: [{"run_id": RUN_ID, "state": "queued"}],
    RunState: [PAUSED_RUN, COMPLETED_RUN],
    RunPage: [{"items": [PAUSED_RUN, COMPLETED_RUN], "total": 2, "next_offset": None}],
    EventPage: [{"frames": [{"seq": 4180, "event": EVENT}], "next_after": 4180, "more": True}],
    TenantUsageView: [{"tenant": "acme", "usage": USAGE, "runs": 1, "updated_at": AT}],
    TenantBudgetView: [
        {
            "tenant": "acme",
            "monthly_tokens": 2_000_000,
            "monthly_cost_usd": 50.0,
            "month": "2026-12",
            "usage": USAGE,
            "updated_at": AT,
        }
    ],
    SecretInfo: [{"name": "model-key", "created_at": AT, "updated_at": AT}],
    SecretList: [{"secrets": [{"name": "model-key", "created_at": AT, "updated_at": AT}]}],
    TokenCreated: [
        {
            "id": "5d2a9c",
            "tenant": "acme",
            "label": "dashboard",
            "created_at": AT,
            "token": "dt_9x…",
        }
    ],
    TokenList: [
        {"tokens": [{"id": "5d2a9c", "tenant": "acme", "label": "dashboard", "created_at": AT}]}
    ],
    AuditPage: [
        {
            "records": [
                {
                    "seq": 912,
                    "record": {
                        "at": AT,
                        "tenant": "acme",
                        "actor": "token:5d2a9c",
                        "action": "run.start",
                        "target": OLD_RUN_ID,
                        "outcome": "queued",
                        "request_id": "3b0f6a1c9e2d4f58",
                        "detail": {
                            "project_id": PROJECT_ID,
                            "mode": "continuous",
                            "resumed_from": None,
                        },
                    },
                }
            ],
            "next_after": 912,
        }
    ],
}


def _validated() -> dict[str, list[Any]]:
    """Component name → its examples; raises if any example does not fit its model."""
    out: dict[str, list[Any]] = {}
    for model, examples in REQUESTS.items():
        for example in examples:
            model.model_validate_json(json.dumps(example))
        out[model.__name__] = examples
    for model, examples in ANSWERS.items():
        out[model.__name__] = [
            model.model_validate_json(json.dumps(e)).model_dump(mode="json") for e in examples
        ]
    return out


EXAMPLES = _validated()


def install(app: FastAPI) -> None:
    """Put the examples in the app's OpenAPI document (each schema's `examples`)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = build()
            schemas = doc.get("components", {}).get("schemas", {})
            for name, examples in EXAMPLES.items():
                if name in schemas:
                    schemas[name]["examples"] = examples
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
