"""`devteam`: the operator's command line."""

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from devteam_bus.connection import NatsAuthError, connect
from devteam_bus.credentials import CredentialsError
from devteam_bus.nats_auth import Identity
from devteam_bus.provision import provision
from devteam_cli import ops
from devteam_cli.compose_auth import parse_owner, write_compose_auth
from devteam_cli.settings import UpSettings, cli_settings
from devteam_cli.supervisor import config_from, run_stack
from devteam_contracts.ids import is_safe_id
from devteam_contracts.usage import TenantBudgetSet
from devteam_tenants.budgets import BudgetStore
from devteam_tenants.tokens import TokenStore


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the sub-command."""
    parser = argparse.ArgumentParser(prog="devteam", description="DevTeam Runner")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start NATS and every service locally")
    up.add_argument("--data-dir", help="state directory (default $DEVTEAM_DATA_DIR or ./data)")
    up.add_argument("--port", type=int, help="gateway port (default $DEVTEAM_GATEWAY_PORT or 8080)")
    up.add_argument("--nats-port", type=int, help="NATS port (default: a free one)")
    up.add_argument("--tenant", help="the development token's tenant (DEVTEAM_TENANT, dev)")
    up.add_argument(
        "--scale",
        action="append",
        default=[],
        metavar="SERVICE=N",
        help="run N replicas of a service (selector, prep, implement, verify); repeatable",
    )
    up.add_argument(
        "--cluster",
        type=int,
        default=1,
        metavar="N",
        help="run a NATS cluster of N nodes (3 or 5), streams and buckets with N replicas",
    )
    prov = sub.add_parser(
        "provision", help="create/update streams and buckets on $DEVTEAM_NATS_URL"
    )
    prov.add_argument(
        "--dev-token-env",
        metavar="VAR",
        help="also register the API token held in this environment variable (if set)",
    )
    prov.add_argument("--tenant", help="the development token's tenant (DEVTEAM_TENANT, dev)")
    creds = sub.add_parser(
        "nats-credentials",
        help="make NATS credentials and nats-server configs for docker compose (made once)",
    )
    creds.add_argument("directory", help="e.g. data/compose-secrets ($DEVTEAM_COMPOSE_SECRETS)")
    creds.add_argument(
        "--owner",
        default="10001:10001",
        help="UID:GID that owns the files (default: the containers' user devteam; - for you)",
    )
    tokens = sub.add_parser("tokens", help="administer API tokens on $DEVTEAM_NATS_URL")
    actions = tokens.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new token for a tenant (shown once)")
    create.add_argument("--tenant", required=True)
    create.add_argument("--label", default="")
    listing = actions.add_parser("list", help="a tenant's tokens (ids, labels, times)")
    listing.add_argument("--tenant", required=True)
    revoke = actions.add_parser("revoke", help="revoke a tenant's token by id")
    revoke.add_argument("--tenant", required=True)
    revoke.add_argument("token_id")
    budget = sub.add_parser(
        "budget", help="a tenant's monthly model budget and this month's usage (set with flags)"
    )
    budget.add_argument("--tenant", required=True)
    budget.add_argument("--monthly-tokens", type=int, help="set: tokens per month (0: no limit)")
    budget.add_argument(
        "--monthly-cost-usd", type=float, help="set: US dollars per month (0: no limit)"
    )
    ops.add_commands(sub)
    args = parser.parse_args(argv)
    try:
        return run(parser, args)
    except (NatsAuthError, CredentialsError) as exc:  # say what to fix, not a traceback
        print(f"devteam: {exc}", file=sys.stderr)
        return 2


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """Run the parsed sub-command."""
    if args.command in ("status", "projects", "runs", "events", "audit"):
        return ops.run_command(args)
    if args.command == "tokens":
        if not is_safe_id(args.tenant):
            parser.error(f"not a tenant id: {args.tenant!r}")
        return asyncio.run(administer_tokens(args))
    if args.command == "budget":
        if not is_safe_id(args.tenant):
            parser.error(f"not a tenant id: {args.tenant!r}")
        try:
            return asyncio.run(administer_budget(args))
        except ValueError as exc:  # pydantic's: a negative value
            parser.error(str(exc))
    if args.command == "nats-credentials":
        try:
            owner = parse_owner(args.owner)
        except ValueError as exc:
            parser.error(str(exc))
        for path in write_compose_auth(Path(args.directory), owner):
            print(f"wrote {path}")
        print(f"credentials of {', '.join(i.value for i in Identity)} in {args.directory}")
        return 0
    if args.command == "up":
        try:
            cfg = config_from(
                args.data_dir, args.port, args.nats_port, args.tenant, args.scale, args.cluster
            )
        except ValueError as exc:
            parser.error(str(exc))
        return run_stack(cfg)
    settings = cli_settings(Identity.PROVISION)
    tenant = args.tenant or UpSettings().tenant

    async def do_provision() -> None:
        bus = await connect(settings, "devteam-provision")
        try:
            # retried while a new cluster elects its first meta leader
            await bus.retrying(lambda: provision(bus, settings), "provisioning")
            token = os.environ.get(args.dev_token_env or "", "")
            if token:
                await bus.retrying(lambda: TokenStore(bus).add(token, tenant), "the token")
                print(f"registered the token in ${args.dev_token_env} for tenant {tenant}")
        finally:
            await bus.close()

    asyncio.run(do_provision())
    print(f"provisioned streams and buckets on {settings.nats_url}")
    return 0


async def administer_tokens(args: argparse.Namespace) -> int:
    """`devteam tokens create|list|revoke`: straight on the tokens bucket, audited."""
    bus = await connect(cli_settings(Identity.OPERATOR), "devteam-tokens")
    store, actor = TokenStore(bus), f"operator:{getpass.getuser()}"
    try:
        if args.action == "create":
            created = await store.create(args.tenant, args.label, actor)
            print(f"{created.id}  {created.token}")
        elif args.action == "list":
            for info in await store.list(args.tenant):
                print(f"{info.id}  {info.created_at.isoformat()}  {info.label}")
        else:
            if not await store.revoke(args.tenant, args.token_id, actor):
                print(f"tenant {args.tenant} has no token {args.token_id}", file=sys.stderr)
                return 1
            print(f"revoked {args.token_id}")
    finally:
        await bus.close()
    return 0


async def administer_budget(args: argparse.Namespace) -> int:
    """`devteam budget --tenant T [--monthly-tokens N] [--monthly-cost-usd X]`: show the
    tenant's budget and this month's usage; with a flag, set it first (audited)."""
    bus = await connect(cli_settings(Identity.OPERATOR), "devteam-budget")
    store = BudgetStore(bus)
    try:
        if args.monthly_tokens is not None or args.monthly_cost_usd is not None:
            old = await store.get(args.tenant)
            tokens = old.monthly_tokens if old else None
            cost = old.monthly_cost_usd if old else None
            if args.monthly_tokens is not None:
                tokens = args.monthly_tokens or None
            if args.monthly_cost_usd is not None:
                cost = args.monthly_cost_usd or None
            wanted = TenantBudgetSet(monthly_tokens=tokens, monthly_cost_usd=cost)
            await store.set(args.tenant, wanted, f"operator:{getpass.getuser()}")
        view = await store.view(args.tenant)
    finally:
        await bus.close()
    used = view.usage.prompt_tokens + view.usage.completion_tokens
    spent = f"${view.usage.cost_usd:.4f}" if view.usage.cost_usd is not None else "cost unknown"
    limit_cost = f"${view.monthly_cost_usd}" if view.monthly_cost_usd else "no limit"
    print(f"tenant {view.tenant}, {view.month}: {used} tokens, {spent}, "
          f"{view.usage.requests} requests")  # fmt: skip
    print(f"monthly budget: tokens {view.monthly_tokens or 'no limit'}, cost {limit_cost}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
