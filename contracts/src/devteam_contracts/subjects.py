"""Subject, stream, consumer and bucket names: defined here once, used everywhere.

| stream          | subjects                                  | retention  |
|-----------------|-------------------------------------------|------------|
| DEVTEAM_CMD     | devteam.cmd.<stage>.<tenant>.<project>    | work queue |
| DEVTEAM_EVT     | devteam.evt.<tenant>.<project>.<run>      | limits     |
| DEVTEAM_AUDIT   | devteam.audit.<tenant>                    | limits, deny delete/purge |
"""

from enum import StrEnum
from typing import NamedTuple

from devteam_contracts.ids import is_safe_id


class Stage(StrEnum):
    """A pipeline stage; each has one durable pull consumer on the commands stream."""

    SELECT = "select"
    PREP = "prep"
    IMPLEMENT = "implement"
    VERIFY = "verify"
    COMPLETE = "complete"


STREAM_COMMANDS = "DEVTEAM_CMD"
STREAM_EVENTS = "DEVTEAM_EVT"
STREAM_AUDIT = "DEVTEAM_AUDIT"

COMMANDS_SUBJECTS = "devteam.cmd.>"
EVENTS_SUBJECTS = "devteam.evt.>"
# The events stream republishes each event once stored, with its sequence in the
# `Nats-Sequence` header, for the gateways' live feeds (core NATS: no consumer to wait on).
EVENTS_LIVE_SUBJECTS = "devteam.live.evt.>"
AUDIT_SUBJECTS = "devteam.audit.>"

BUCKET_PROJECTS = "devteam_projects"
BUCKET_RUNS = "devteam_runs"
BUCKET_LOCKS = "devteam_locks"
BUCKET_TOKENS = "devteam_tokens"
BUCKET_USAGE = "devteam_usage"
BUCKET_ADMISSION = "devteam_admission"
BUCKET_SECRETS = "devteam_secrets"
BUCKET_BUDGETS = "devteam_budgets"
# Object store: the commits one stage hands the next, as git bundles (deleted with the run).
OBJECTS_BUNDLES = "devteam_bundles"

# Audit records that cannot be attributed to a tenant (e.g. an unparseable command).
SYSTEM_TENANT = "system"


def command_subject(stage: Stage, tenant: str, project: str) -> str:
    """Subject a stage command for one project is published on."""
    return f"devteam.cmd.{stage.value}.{tenant}.{project}"


def stage_filter(stage: Stage) -> str:
    """Filter subject of a stage's durable consumer (all tenants and projects)."""
    return f"devteam.cmd.{stage.value}.>"


def durable_name(stage: Stage) -> str:
    """Durable consumer name shared by every replica of a stage."""
    return f"devteam-{stage.value}"


def event_subject(tenant: str, project: str, run: str) -> str:
    """Subject of one run's events."""
    return f"devteam.evt.{tenant}.{project}.{run}"


def live_event_subject(tenant: str, project: str, run: str) -> str:
    """Subject one run's events are republished on once stored (`EVENTS_LIVE_SUBJECTS`)."""
    return f"devteam.live.evt.{tenant}.{project}.{run}"


def events_filter(
    tenant: str | None = None, project: str | None = None, run: str | None = None
) -> str:
    """Filter subject of the events of a tenant, project or run (None: any)."""
    return f"devteam.evt.{tenant or '*'}.{project or '*'}.{run or '*'}"


class EventSubject(NamedTuple):
    """Whose events a subject carries."""

    tenant: str
    project: str
    run: str


def parse_event_subject(subject: str) -> EventSubject | None:
    """The tenant, project and run of an event subject (stored or republished live); None
    for a subject of another shape, or with a token that is not a safe id."""
    parts = subject.split(".")
    if parts[:2] == ["devteam", "live"]:
        parts = ["devteam", *parts[2:]]
    if len(parts) != 5 or parts[:2] != ["devteam", "evt"] or not all(map(is_safe_id, parts[2:])):
        return None
    return EventSubject(*parts[2:])


def project_commands_filter(tenant: str, project: str) -> str:
    """Filter subject of one project's commands, of every stage."""
    return f"devteam.cmd.*.{tenant}.{project}"


class CommandSubject(NamedTuple):
    """Which stage a command subject is for, and whose."""

    stage: Stage
    tenant: str
    project: str


def parse_command_subject(subject: str) -> CommandSubject | None:
    """The stage, tenant and project of a command subject; None for another shape, an
    unknown stage, or a tenant or project that is not a safe id."""
    parts = subject.split(".")
    if len(parts) != 5 or parts[:2] != ["devteam", "cmd"] or not all(map(is_safe_id, parts[3:])):
        return None
    stage = next((s for s in Stage if s.value == parts[2]), None)
    return CommandSubject(stage, parts[3], parts[4]) if stage else None


def audit_filter(tenant: str | None = None) -> str:
    """Filter subject of a tenant's audit records (None: every tenant's)."""
    return f"devteam.audit.{tenant or '*'}"


def audit_subject(tenant: str) -> str:
    """Subject of one tenant's audit records."""
    return f"devteam.audit.{tenant}"


def project_key(tenant: str, project: str) -> str:
    """Key of a project in the projects bucket (tenant-scoped)."""
    return f"{tenant}.{project}"


def msg_id(run: str, task: str, attempt: int, stage: Stage) -> str:
    """`Nats-Msg-Id` of a command: replays inside the duplicate window are dropped."""
    return f"{run}/{task}/{attempt}/{stage.value}"


def bundle_key(run: str, task: str, attempt: int, head: str) -> str:
    """Object name of the bundle with the commits of one IMPLEMENT attempt that ended at
    commit `head` (two deliveries of one attempt never overwrite each other's bundle)."""
    return f"{run}/{task}/{attempt}/{head}"


def tasks_rpc_subject(tenant: str, project: str) -> str:
    """Request/reply subject on which the selector serves a project's parsed task list."""
    return f"devteam.rpc.tasks.{tenant}.{project}"


TASKS_RPC_FILTER = "devteam.rpc.tasks.*.*"
# Every service process answers it with its version and load (`devteam status` asks).
STATUS_SUBJECT = "devteam.status"
TASKS_RPC_QUEUE = "devteam-selector"
# The selector serves the task RPC as a NATS micro service of this name: `$SRV.PING|INFO|STATS`
# (`nats micro info devteam-tasks`) find its replicas and count their requests and errors.
TASKS_SERVICE = "devteam-tasks"
MICRO_PREFIX = "$SRV"
