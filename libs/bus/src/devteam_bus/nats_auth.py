"""Who may do what on NATS: one identity per service, the operator's CLI and provisioning,
each with least-privilege permissions, rendered into nats-server's `authorization` block.

Everything here is derived from the names in `devteam_contracts.subjects` and from the
JetStream API subjects nats-py uses (`$JS.API.*`, `$KV.*`, `$O.*`, `$JS.ACK.*`, `$JS.FC.*`),
so `devteam up` and the compose generator serve the same rules. The table in
docs/operations.md ("NATS identities") says why each identity holds what it holds.

Rules of thumb:
* Only `provision` manages streams, consumers of others and buckets (the whole `$JS.API`).
* A stage consumes only its own durable (it may create it, with its own filter only), and
  publishes only the commands of the stages it hands on to, plus SELECT: whoever ends a run
  starts the next admitted one (`lifecycle.end_run`).
* Buckets are read or written only by who needs them: tokens, projects and secrets are
  written by the gateway alone (tokens also by the operator's `devteam tokens`); stages read
  projects and secrets (git credentials, model keys) and write run state.
* Every identity has its own inbox prefix (`_INBOX.<identity>`): no one can subscribe to
  another identity's replies. Answering a request (`devteam.status`, the selector's task
  RPC) uses `allow_responses`, which lets a client publish only to the reply subject of a
  message it received.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from devteam_contracts import subjects as s
from devteam_contracts.subjects import Stage

API = "$JS.API"
ADVISORY_MAX_DELIVERIES = f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{s.STREAM_COMMANDS}.*"


class Identity(StrEnum):
    """A NATS user: each service, the operator's CLI and provisioning."""

    PROVISION = "provision"
    OPERATOR = "operator"
    GATEWAY = "gateway"
    SELECTOR = "selector"
    PREP = "prep"
    IMPLEMENT = "implement"
    VERIFY = "verify"


def inbox_prefix(identity: Identity | str) -> str:
    """The identity's inbox prefix (nats-py `connect(inbox_prefix=…)`): replies to its
    requests, JetStream API answers and consumer deliveries arrive below it."""
    return f"_INBOX.{Identity(identity).value}"


@dataclass
class Permissions:
    """What one identity may publish and subscribe to (nats-server `permissions`)."""

    publish: list[str] = field(default_factory=list)
    subscribe: list[str] = field(default_factory=list)
    allow_responses: bool = False

    def add(self, publish: Iterable[str] = (), subscribe: Iterable[str] = ()) -> "Permissions":
        """Add grants (each subject once, in order)."""
        self.publish += [p for p in publish if p not in self.publish]
        self.subscribe += [p for p in subscribe if p not in self.subscribe]
        return self

    def as_config(self) -> dict[str, object]:
        """The `permissions` map of a user in nats-server's configuration."""
        config: dict[str, object] = {
            "publish": {"allow": self.publish},
            "subscribe": {"allow": self.subscribe},
        }
        if self.allow_responses:
            config["allow_responses"] = True
        return config


def kv_stream(bucket: str) -> str:
    return f"KV_{bucket}"


def obj_stream(bucket: str) -> str:
    return f"OBJ_{bucket}"


def read_messages(stream: str) -> list[str]:
    """Read single messages of a stream: its info, by sequence or last-by-subject (plain and
    direct get, which KV and object-store reads use)."""
    return [
        f"{API}.STREAM.INFO.{stream}",
        f"{API}.STREAM.MSG.GET.{stream}",
        f"{API}.DIRECT.GET.{stream}",
        f"{API}.DIRECT.GET.{stream}.>",
    ]


def scan(stream: str) -> list[str]:
    """Read a stream through ephemeral ordered consumers (KV keys/watch, object lists and
    reads, event and audit replays), which answer flow control on `$JS.FC`. nats-py finds
    the stream by subject where it is not named (stream names: nothing secret)."""
    return [
        *read_messages(stream),
        f"{API}.STREAM.NAMES",
        f"{API}.CONSUMER.CREATE.{stream}",
        f"{API}.CONSUMER.INFO.{stream}.*",
        f"$JS.FC.{stream}.>",
    ]


def kv_write(bucket: str) -> list[str]:
    """Put, create, update, delete and purge keys of a bucket."""
    return [f"$KV.{bucket}.>"]


def consume(stage: Stage) -> list[str]:
    """Pull from the stage's own durable consumer on the commands stream (create it with its
    own filter only: the server checks the filter in the request against the subject) and
    settle what it got (ack, nak, in progress, term)."""
    durable = s.durable_name(stage)
    stream = s.STREAM_COMMANDS
    return [
        f"{API}.CONSUMER.INFO.{stream}.{durable}",
        f"{API}.CONSUMER.CREATE.{stream}.{durable}.{s.stage_filter(stage)}",
        f"{API}.CONSUMER.MSG.NEXT.{stream}.{durable}",
        f"$JS.ACK.{stream}.{durable}.>",
    ]


def micro_service(name: str) -> list[str]:
    """A NATS micro service's discovery subjects, which every instance answers: PING, INFO and
    STATS to all services, to those of `name`, and to one instance of it."""
    verbs = ("PING", "INFO", "STATS")
    return [
        f"{s.MICRO_PREFIX}.{verb}{tail}"
        for verb in verbs
        for tail in ("", f".{name}", f".{name}.*")
    ]


def commands_to(*stages: Stage) -> list[str]:
    return [s.stage_filter(stage) for stage in stages]


BUNDLES = s.OBJECTS_BUNDLES


def bundles_read() -> list[str]:
    return scan(obj_stream(BUNDLES))


def bundles_delete() -> list[str]:
    """Delete a run's bundles (`BundleStore.drop_run`): list them, mark each deleted, purge
    its chunks (nats-py purges by subject; permissions cannot limit a purge's filter)."""
    stream = obj_stream(BUNDLES)
    return [*scan(stream), f"$O.{BUNDLES}.M.>", f"{API}.STREAM.PURGE.{stream}"]


def bundles_put() -> list[str]:
    return [*bundles_delete(), f"$O.{BUNDLES}.C.>"]  # (and read: a repair on another replica)


def run_lifecycle() -> list[str]:
    """What starting, advancing and ending a run takes (lifecycle, starting, admission):
    run state, the project locks, the admission record and usage, the project (read), the
    run's events and audit records, its bundles (deleted at its end) and the first SELECT of
    the runs admitted into a freed slot."""
    grants = [
        *read_messages(kv_stream(s.BUCKET_PROJECTS)),
        *commands_to(Stage.SELECT),
        *bundles_delete(),
        s.EVENTS_SUBJECTS,
        s.AUDIT_SUBJECTS,
        f"{API}.INFO",
    ]
    for bucket in (s.BUCKET_RUNS, s.BUCKET_LOCKS, s.BUCKET_ADMISSION, s.BUCKET_USAGE):
        grants += [*read_messages(kv_stream(bucket)), *kv_write(bucket)]
    return grants


def service_base(identity: Identity) -> Permissions:
    """What every service process does: run lifecycle, answer `devteam.status`."""
    return Permissions(allow_responses=True).add(
        publish=run_lifecycle(),
        subscribe=[f"{inbox_prefix(identity)}.>", s.STATUS_SUBJECT],
    )


def stage_permissions(identity: Identity) -> Permissions:
    secrets = read_messages(kv_stream(s.BUCKET_SECRETS))
    perms = service_base(identity).add(publish=secrets)
    if identity is Identity.SELECTOR:
        cmd = s.STREAM_COMMANDS
        return perms.add(
            publish=[
                *consume(Stage.SELECT),
                *consume(Stage.COMPLETE),
                *commands_to(Stage.PREP, Stage.SELECT),
                *bundles_read(),
                # the delivery watch reads and deletes the command an advisory names, the
                # stuck-run sweep counts a project's pending commands
                f"{API}.STREAM.INFO.{cmd}",
                f"{API}.STREAM.MSG.GET.{cmd}",
                f"{API}.STREAM.MSG.DELETE.{cmd}",
            ],
            subscribe=[
                s.TASKS_RPC_FILTER,
                *micro_service(s.TASKS_SERVICE),
                ADVISORY_MAX_DELIVERIES,
            ],
        )
    if identity is Identity.PREP:
        return perms.add(publish=[*consume(Stage.PREP), *commands_to(Stage.IMPLEMENT)])
    # implement and verify watch their run's entry while they work, to stop when it ends
    watch_runs = scan(kv_stream(s.BUCKET_RUNS))
    if identity is Identity.IMPLEMENT:
        return perms.add(
            publish=[
                *read_messages(kv_stream(s.BUCKET_BUDGETS)),  # the tenant's monthly budget
                *consume(Stage.IMPLEMENT),
                *commands_to(Stage.VERIFY),
                *bundles_put(),
                *watch_runs,
            ],
        )
    if identity is Identity.VERIFY:
        return perms.add(
            publish=[
                *consume(Stage.VERIFY),
                *watch_runs,
                *commands_to(Stage.IMPLEMENT, Stage.COMPLETE),
                *bundles_read(),
            ]
        )
    raise ValueError(f"{identity} is not a stage service")


def gateway_permissions() -> Permissions:
    """The REST edge: every tenant's projects, runs, events and audit records, tokens and
    secrets (written here alone), the step commands of paused runs, the task RPC."""
    perms = service_base(Identity.GATEWAY)
    for bucket in (s.BUCKET_PROJECTS, s.BUCKET_TOKENS, s.BUCKET_SECRETS, s.BUCKET_BUDGETS):
        perms.add(publish=kv_write(bucket))
    for bucket in (
        s.BUCKET_PROJECTS,
        s.BUCKET_RUNS,
        s.BUCKET_TOKENS,
        s.BUCKET_SECRETS,
        s.BUCKET_USAGE,
        s.BUCKET_ADMISSION,
        s.BUCKET_BUDGETS,
    ):
        perms.add(publish=scan(kv_stream(bucket)))
    return perms.add(
        publish=[
            s.COMMANDS_SUBJECTS,  # step mode: the parked command of any stage
            s.TASKS_RPC_FILTER,
            *scan(s.STREAM_EVENTS),
            *scan(s.STREAM_AUDIT),
            f"{API}.CONSUMER.INFO.{s.STREAM_COMMANDS}.*",  # queue depth per stage (/metrics)
        ],
        subscribe=[s.EVENTS_LIVE_SUBJECTS],
    )


def operator_permissions() -> Permissions:
    """`devteam status|projects|runs|events|audit|tokens|budget`: read everything; cancel and
    resume runs, administer tokens and budgets; never change a stream, a consumer or a bucket's
    configuration."""
    perms = Permissions().add(
        publish=[
            *run_lifecycle(),
            *kv_write(s.BUCKET_TOKENS),
            *kv_write(s.BUCKET_BUDGETS),
            s.STATUS_SUBJECT,
            f"{s.MICRO_PREFIX}.>",  # NATS micro discovery (`nats micro ls|info|stats`)
            f"{API}.STREAM.LIST",
            f"{API}.STREAM.NAMES",
            f"{API}.CONSUMER.LIST.*",
            f"{API}.CONSUMER.NAMES.*",
            f"{API}.CONSUMER.INFO.*.*",
            *read_messages(s.STREAM_COMMANDS),
            *scan(s.STREAM_EVENTS),
            *scan(s.STREAM_AUDIT),
            *bundles_read(),
        ],
        # events as they are stored (what `bench/streams.py` measures raw NATS by)
        subscribe=[f"{inbox_prefix(Identity.OPERATOR)}.>", s.EVENTS_SUBJECTS],
    )
    for bucket in (
        s.BUCKET_PROJECTS,
        s.BUCKET_RUNS,
        s.BUCKET_LOCKS,
        s.BUCKET_TOKENS,
        s.BUCKET_USAGE,
        s.BUCKET_ADMISSION,
        s.BUCKET_SECRETS,  # ciphertext only: the key is not the operator CLI's
        s.BUCKET_BUDGETS,
    ):
        perms.add(publish=scan(kv_stream(bucket)))
    return perms


def provision_permissions() -> Permissions:
    """`devteam provision` and `devteam up`'s provisioning: the whole JetStream API (streams,
    consumers, buckets), and registering a development token."""
    return Permissions().add(
        publish=[f"{API}.>", *kv_write(s.BUCKET_TOKENS)],
        subscribe=[f"{inbox_prefix(Identity.PROVISION)}.>"],
    )


def permissions(identity: Identity) -> Permissions:
    """The identity's permissions."""
    if identity is Identity.PROVISION:
        return provision_permissions()
    if identity is Identity.OPERATOR:
        return operator_permissions()
    if identity is Identity.GATEWAY:
        return gateway_permissions()
    return stage_permissions(identity)


def authorization(public_keys: Mapping[Identity, str]) -> str:
    """nats-server's `authorization` block: one nkey user per identity (public keys only,
    nothing secret), with its permissions. A client without a known key is refused."""
    users = [
        {"nkey": key, "permissions": permissions(identity).as_config()}
        for identity, key in sorted(public_keys.items())
    ]
    # JSON is valid nats-server configuration; quoting keeps `$JS…` from reading as variables.
    return "authorization " + json.dumps({"users": users}, indent=2)
