"""Idempotent provisioning of the streams and key-value buckets named in contracts."""

from nats.js import api
from nats.js.errors import BadRequestError, BucketNotFoundError, NotFoundError

from devteam_bus.connection import Bus
from devteam_bus.settings import BusSettings
from devteam_contracts import subjects as s

DAY = 86_400.0


def stream_configs(settings: BusSettings) -> list[api.StreamConfig]:
    """The three streams of DESIGN.md with their retention rules (and replicas: durable
    consumers inherit the stream's)."""
    return [
        api.StreamConfig(
            name=s.STREAM_COMMANDS,
            subjects=[s.COMMANDS_SUBJECTS],
            retention=api.RetentionPolicy.WORK_QUEUE,
            storage=api.StorageType.FILE,
            duplicate_window=settings.duplicate_window_s,
            num_replicas=settings.nats_replicas,
        ),
        api.StreamConfig(
            name=s.STREAM_EVENTS,
            subjects=[s.EVENTS_SUBJECTS],
            retention=api.RetentionPolicy.LIMITS,
            storage=api.StorageType.FILE,
            max_age=settings.events_max_age_days * DAY,
            duplicate_window=settings.duplicate_window_s,
            num_replicas=settings.nats_replicas,
            republish=api.RePublish(src=s.EVENTS_SUBJECTS, dest=s.EVENTS_LIVE_SUBJECTS),
        ),
        api.StreamConfig(
            name=s.STREAM_AUDIT,
            subjects=[s.AUDIT_SUBJECTS],
            retention=api.RetentionPolicy.LIMITS,
            storage=api.StorageType.FILE,
            max_age=365 * DAY,
            deny_delete=True,
            deny_purge=True,
            num_replicas=settings.nats_replicas,
        ),
    ]


BUCKETS: dict[str, int] = {
    # bucket → history depth
    s.BUCKET_PROJECTS: 5,
    s.BUCKET_RUNS: 5,
    s.BUCKET_LOCKS: 1,
    s.BUCKET_TOKENS: 1,
    s.BUCKET_USAGE: 1,
    s.BUCKET_ADMISSION: 1,
    s.BUCKET_SECRETS: 1,
    s.BUCKET_BUDGETS: 1,
}
# Bundles live as long as their run; the age limit only catches what a crash left behind.
BUNDLES_MAX_AGE_DAYS = 7.0


async def provision(bus: Bus, settings: BusSettings) -> None:
    """Create or update every stream and bucket; safe to run any number of times.

    Streams are updated to the configured replicas; buckets that exist are left as they are.
    """
    replicas = settings.nats_replicas
    for cfg in stream_configs(settings):
        try:
            await bus.js.stream_info(cfg.name or "")
            await bus.js.update_stream(cfg)
        except NotFoundError:
            await bus.js.add_stream(cfg)
    for bucket, history in BUCKETS.items():
        try:
            await bus.js.key_value(bucket)
        except (NotFoundError, BadRequestError):
            await bus.js.create_key_value(
                api.KeyValueConfig(
                    bucket=bucket,
                    history=history,
                    storage=api.StorageType.FILE,
                    replicas=replicas,
                )
            )
    try:
        await bus.js.object_store(s.OBJECTS_BUNDLES)
    except (BucketNotFoundError, NotFoundError):
        await bus.js.create_object_store(
            s.OBJECTS_BUNDLES,  # (nats-py overwrites the config's bucket with this argument)
            api.ObjectStoreConfig(
                storage=api.StorageType.FILE, ttl=BUNDLES_MAX_AGE_DAYS * DAY, replicas=replicas
            ),
        )
