"""`devteam`: the operator's command line."""

import argparse
import asyncio
import os

from devteam_bus.connection import connect
from devteam_bus.provision import provision
from devteam_bus.settings import BusSettings
from devteam_bus.stores import TokenStore
from devteam_cli.supervisor import config_from, run_stack


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the sub-command."""
    parser = argparse.ArgumentParser(prog="devteam", description="DevTeam Runner")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start NATS and every service locally")
    up.add_argument("--data-dir", help="state directory (default $DEVTEAM_DATA_DIR or ./data)")
    up.add_argument("--port", type=int, help="gateway port (default $DEVTEAM_GATEWAY_PORT or 8080)")
    up.add_argument("--nats-port", type=int, help="NATS port (default: a free one)")
    up.add_argument("--tenant", default=os.environ.get("DEVTEAM_TENANT", "dev"))
    up.add_argument(
        "--scale",
        action="append",
        default=[],
        metavar="SERVICE=N",
        help="run N replicas of a service (selector, prep, implement, verify); repeatable",
    )
    prov = sub.add_parser(
        "provision", help="create/update streams and buckets on $DEVTEAM_NATS_URL"
    )
    prov.add_argument(
        "--dev-token-env",
        metavar="VAR",
        help="also register the API token held in this environment variable (if set)",
    )
    prov.add_argument("--tenant", default=os.environ.get("DEVTEAM_TENANT", "dev"))
    args = parser.parse_args(argv)
    if args.command == "up":
        try:
            cfg = config_from(args.data_dir, args.port, args.nats_port, args.tenant, args.scale)
        except ValueError as exc:
            parser.error(str(exc))
        return run_stack(cfg)
    settings = BusSettings()

    async def do_provision() -> None:
        bus = await connect(settings, "devteam-provision")
        try:
            await provision(bus, settings)
            token = os.environ.get(args.dev_token_env or "", "")
            if token:
                await TokenStore(bus).add(token, args.tenant)
                print(f"registered the token in ${args.dev_token_env} for tenant {args.tenant}")
        finally:
            await bus.close()

    asyncio.run(do_provision())
    print(f"provisioned streams and buckets on {settings.nats_url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
