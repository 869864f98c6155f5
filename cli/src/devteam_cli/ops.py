"""Operator commands, straight on NATS (`$DEVTEAM_NATS_URL` as the `operator` identity:
`$DEVTEAM_NATS_CREDENTIALS`, or those of the `devteam up` next to it, see settings.py), no
gateway and no NATS CLI:

    devteam status                       services on the bus (version, load), streams, consumers
    devteam projects list [--tenant T]
    devteam runs list [--tenant T] [--project P] [--state S]   (runs with events: 30 days)
    devteam runs show|cancel|resume RUN
    devteam events tail [--tenant T | --project P | --run R]      follow live
    devteam events replay --since <ISO time | seq> [--tenant …]    from the stream, then stop
    devteam audit tail [--tenant T] [--since …]

Tables for people; `--json` prints one JSON object per line for scripts.
"""

import argparse
import asyncio
import getpass
import json
import sys
from datetime import UTC, datetime
from typing import Any

from nats.js import api

from devteam_bus.connection import Bus, connect
from devteam_bus.nats_auth import Identity
from devteam_bus.status import survey
from devteam_cli.settings import cli_settings
from devteam_contracts.audit import parse_audit
from devteam_contracts.events import parse_event
from devteam_contracts.runs import RunState, RunStatus
from devteam_contracts.subjects import STREAM_AUDIT, STREAM_EVENTS, audit_filter, events_filter
from devteam_runs import launch
from devteam_runs.run_store import RunStore, run_ids
from devteam_runs.transitions import cancel_run
from devteam_tenants.projects import ProjectStore


def add_commands(sub: Any) -> None:
    """Register the operator sub-commands on the `devteam` parser."""
    status = sub.add_parser("status", help="services on the bus, streams and consumers")
    status.add_argument("--json", action="store_true")
    projects = sub.add_parser("projects", help="registered projects").add_subparsers(
        dest="action", required=True
    )
    plist = projects.add_parser("list")
    plist.add_argument("--tenant")
    plist.add_argument("--json", action="store_true")
    runs = sub.add_parser("runs", help="runs: list, show, cancel, resume").add_subparsers(
        dest="action", required=True
    )
    rlist = runs.add_parser("list")
    rlist.add_argument("--tenant")
    rlist.add_argument("--project")
    rlist.add_argument("--state", choices=[s.value for s in RunStatus])
    rlist.add_argument("--limit", type=int, default=50)
    rlist.add_argument("--json", action="store_true")
    for name in ("show", "cancel", "resume"):
        one = runs.add_parser(name)
        one.add_argument("run_id")
        one.add_argument("--json", action="store_true")
    events = sub.add_parser("events", help="run events from JetStream").add_subparsers(
        dest="action", required=True
    )
    for name in ("tail", "replay"):
        ev = events.add_parser(name)
        ev.add_argument("--tenant")
        ev.add_argument("--project")
        ev.add_argument("--run")
        ev.add_argument("--since", required=name == "replay",
                        help="an ISO time (2026-12-01T10:00:00Z) or a stream sequence")  # fmt: skip
        ev.add_argument("--logs", action="store_true", help="include log events")
        ev.add_argument("--json", action="store_true")
    audit = sub.add_parser("audit", help="the audit stream").add_subparsers(
        dest="action", required=True
    )
    atail = audit.add_parser("tail")
    atail.add_argument("--tenant")
    atail.add_argument("--since")
    atail.add_argument("--json", action="store_true")


def run_command(args: argparse.Namespace) -> int:
    """Run an operator sub-command; the exit code."""
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    bus = await connect(cli_settings(Identity.OPERATOR), "devteam-cli")
    try:
        handler = {
            "status": status,
            "projects": list_projects,
            "runs": runs_command,
            "events": events_command,
            "audit": audit_tail,
        }[args.command]
        return await handler(bus, args)
    except KeyboardInterrupt:
        return 130
    finally:
        await bus.close()


def table(rows: list[dict[str, Any]], columns: list[str], as_json: bool) -> None:
    """People get aligned columns; scripts (`--json`) one object per line."""
    if as_json:
        for row in rows:
            print(json.dumps(row, default=str))
        return
    cells = [[str(r.get(c, "") if r.get(c) is not None else "") for c in columns] for r in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for line in cells:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip())


def load_text(load: dict[str, Any]) -> str:
    """`implement 2/8, …` (a stage worker's in-flight commands of its concurrency)."""
    parts = []
    for name, value in sorted(load.items()):
        if isinstance(value, dict):
            parts.append(f"{name} {value.get('in_flight')}/{value.get('concurrency')}")
        else:
            parts.append(f"{name} {value}")
    return ", ".join(parts)


async def status(bus: Bus, args: argparse.Namespace) -> int:
    services = [s.model_dump(mode="json", exclude_none=True) for s in await survey(bus)]
    streams: list[dict[str, Any]] = []
    for info in await bus.js.streams_info():
        name = info.config.name or ""
        if not name.startswith("DEVTEAM_"):
            continue
        consumers = []
        for c in await bus.js.consumers_info(name):
            if c.config.durable_name:
                consumers.append({"name": c.name, "pending": c.num_pending,
                                  "ack_pending": c.num_ack_pending,
                                  "redelivered": c.num_redelivered})  # fmt: skip
        streams.append({"stream": name, "messages": info.state.messages,
                        "bytes": info.state.bytes, "replicas": info.config.num_replicas,
                        "consumers": consumers})  # fmt: skip
    if args.json:
        print(json.dumps({"services": services, "streams": streams}))
        return 0
    rows = [{**s, "load": load_text(s.get("load", {}))} for s in services]
    print(f"services on the bus: {len(rows)}")
    table(rows, ["process", "service", "version", "host", "pid", "uptime_s", "load"], False)
    print()
    consumer_rows = []
    for st in streams:
        for c in st["consumers"] or [{}]:
            consumer_rows.append({**{k: st[k] for k in ("stream", "messages", "replicas")},
                                  "consumer": c.get("name"), "pending": c.get("pending"),
                                  "ack_pending": c.get("ack_pending"),
                                  "redelivered": c.get("redelivered")})  # fmt: skip
    cols = ["stream", "messages", "replicas", "consumer", "pending", "ack_pending", "redelivered"]
    table(consumer_rows, cols, False)
    return 0


async def list_projects(bus: Bus, args: argparse.Namespace) -> int:
    rows = [{"tenant": p.tenant, "id": p.id, "name": p.name, "repo_url": p.repo_url,
             "created_at": p.created_at.isoformat(timespec="seconds")}
            for p in await ProjectStore(bus).list(args.tenant)]  # fmt: skip
    table(rows, ["tenant", "id", "name", "repo_url", "created_at"], args.json)
    return 0


def run_row(run: RunState) -> dict[str, Any]:
    current = f"{run.current.id}@{run.current.stage.value}" if run.current else ""
    return {
        "id": run.id,
        "tenant": run.tenant,
        "project": run.project_id,
        "mode": run.mode.value,
        "state": run.state.value,
        "done": len(run.tasks_done),
        "current": current,
        "updated_at": run.updated_at.isoformat(timespec="seconds"),
        "failure": run.failure.reason[:80] if run.failure else "",
    }


async def runs_command(bus: Bus, args: argparse.Namespace) -> int:
    store = RunStore(bus)
    actor = f"operator:{getpass.getuser()}"
    if args.action == "list":
        keys = await run_ids(bus, args.tenant, args.project)
        runs = []
        for i, key in enumerate(keys, 1):
            if not args.json and len(keys) > 200 and i % 200 == 0:
                print(f"reading runs: {i}/{len(keys)}", file=sys.stderr, end="\r")
            run = await store.get(key)
            if run and (not args.tenant or run.tenant == args.tenant) and (
                not args.project or run.project_id == args.project
            ) and (not args.state or run.state.value == args.state):  # fmt: skip
                runs.append(run)
        runs.sort(key=lambda r: r.created_at, reverse=True)
        cols = ["id", "tenant", "project", "mode", "state", "done", "current", "updated_at",
                "failure"]  # fmt: skip
        table([run_row(r) for r in runs[: args.limit]], cols, args.json)
        return 0
    run = await store.get(args.run_id)
    if run is None:
        print(f"no run {args.run_id}", file=sys.stderr)
        return 1
    if args.action == "cancel":
        run = await cancel_run(bus, run.id, actor) or run
    elif args.action == "resume":
        try:
            accepted = await launch.resume_run(bus, run, actor)
        except (launch.NotResumableError, launch.ProjectBusyError,
                launch.QueueFullError) as exc:  # fmt: skip
            print(str(exc), file=sys.stderr)
            return 1
        run = await store.get(accepted.run_id) or run
    if args.json:
        print(run.model_dump_json(exclude={"parked"}))
    else:
        row = run_row(run)
        for key in ("id", "tenant", "project", "mode", "state", "current", "updated_at"):
            print(f"{key:>12}: {row[key]}")
        print(f"{'tasks done':>12}: {', '.join(t.id for t in run.tasks_done) or '-'}")
        if run.failure:
            print(f"{'failure':>12}: {run.failure.stage.value} {run.failure.code.value}: "
                  f"{run.failure.reason}")  # fmt: skip
        if run.resumed_from:
            print(f"{'resumes':>12}: {run.resumed_from}")
    return 0


def start_of(since: str | None) -> api.ConsumerConfig:
    """Where to start reading: new messages only, a stream sequence, or a time."""
    if not since:
        return api.ConsumerConfig(deliver_policy=api.DeliverPolicy.NEW)
    if since.isdigit():
        return api.ConsumerConfig(deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE,
                                  opt_start_seq=int(since))  # fmt: skip
    try:
        at = datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        raise SystemExit(f"--since {since!r}: an ISO time or a stream sequence") from None
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return api.ConsumerConfig(
        deliver_policy=api.DeliverPolicy.BY_START_TIME, opt_start_time=at.astimezone(UTC)
    )


async def events_command(bus: Bus, args: argparse.Namespace) -> int:
    if args.run:
        run = await RunStore(bus).get(args.run)
        if run is None:
            print(f"no run {args.run}", file=sys.stderr)
            return 1
        subject = events_filter(run.tenant, run.project_id, run.id)
    else:
        subject = events_filter(args.tenant, args.project)
    sub = await bus.js.subscribe(subject, stream=STREAM_EVENTS, ordered_consumer=True,
                                 config=start_of(args.since))  # fmt: skip
    replay = args.action == "replay"
    info = await sub.consumer_info()
    if not replay:
        print(f"following {subject} (Ctrl-C stops)", file=sys.stderr, flush=True)
    total = (info.num_pending or 0) + (info.delivered.consumer_seq if info.delivered else 0)
    shown = 0
    try:
        for count in range(1, total + 1) if replay else iter(int, 1):
            try:
                msg = await sub.next_msg(timeout=None if not replay else 10)
            except Exception:  # nats-py's own TimeoutError
                break
            event = parse_event(msg.data)
            if replay and not args.json and total > 500 and count % 500 == 0:
                print(f"replayed {count}/{total}", file=sys.stderr)
            if event.type.value == "log" and not args.logs:
                continue
            shown += 1
            seq = msg.metadata.sequence.stream
            if args.json:
                print(json.dumps({"seq": seq, "event": event.model_dump(mode="json")}), flush=True)
            else:
                where = f"{event.tenant}/{event.project_id}/{event.run_id}"
                task = f" task {event.task_id}" if event.task_id else ""
                print(f"{seq:>8} {event.at:%Y-%m-%d %H:%M:%S} {where} {event.type.value}{task}: "
                      f"{event.message}", flush=True)  # fmt: skip
    finally:
        await sub.unsubscribe()
    if replay and not args.json:
        print(f"{shown} event(s) of {total} read", file=sys.stderr)
    return 0


async def audit_tail(bus: Bus, args: argparse.Namespace) -> int:
    subject = audit_filter(args.tenant)
    sub = await bus.js.subscribe(subject, stream=STREAM_AUDIT, ordered_consumer=True,
                                 config=start_of(args.since))  # fmt: skip
    await sub.consumer_info()  # the consumer exists: nothing published from now is missed
    print(f"following {subject} (Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        while True:
            msg = await sub.next_msg(timeout=None)
            record = parse_audit(msg.data)
            if args.json:
                frame = {
                    "seq": msg.metadata.sequence.stream,
                    "record": record.model_dump(mode="json"),
                }
                print(json.dumps(frame), flush=True)
            else:
                print(f"{msg.metadata.sequence.stream:>8} {record.at:%Y-%m-%d %H:%M:%S} "
                      f"{record.tenant} {record.actor} {record.action} {record.target} "
                      f"{record.outcome}", flush=True)  # fmt: skip
    finally:
        await sub.unsubscribe()
