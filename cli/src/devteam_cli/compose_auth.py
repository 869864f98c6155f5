"""`devteam nats-credentials DIR`: what docker compose needs to run NATS with authentication.

Every identity's credentials (made once, kept after), the cluster's route password, and the
nats-server configurations that admit them: `nats-server.conf` for the single server,
`nats-<i>.conf` for the nodes of `docker-compose.cluster.yml` (their route ports from
`DEVTEAM_NATS_ROUTE_PORT_<i>`, as compose reads them). Compose bind-mounts each file into the
one container that needs it (`secrets:`), so the files belong to the containers' user
(`devteam`, uid 10001) and nobody else may read them (0600, in a 0700 directory).
"""

import os
from pathlib import Path

from devteam_bus.credentials import ensure_credentials, public_keys, route_secret
from devteam_bus.nats_auth import authorization
from devteam_cli.nats_server import NatsNode, config_text, write_private_text

CONTAINER_USER = (10001, 10001)  # `devteam` in every image (docker/build-base.sh)
STORE = Path("/data/nats")  # the NATS containers' volume
ROUTE_PORTS = (6222, 6223, 6224)  # docker-compose.cluster.yml's defaults


def route_ports() -> list[int]:
    """The cluster nodes' route ports: `DEVTEAM_NATS_ROUTE_PORT_<i>`, else compose's default."""
    return [
        int(os.environ.get(f"DEVTEAM_NATS_ROUTE_PORT_{i}") or default)
        for i, default in enumerate(ROUTE_PORTS, 1)
    ]


def write_compose_auth(directory: Path, owner: tuple[int, int] | None) -> list[Path]:
    """Make the credentials (once) and write the configurations; returns what it wrote."""
    creds = ensure_credentials(directory, owner)
    secret = route_secret(directory, owner)
    auth = authorization(public_keys(creds))
    configs = {"nats-server.conf": NatsNode(STORE.parent, 0, authorization=auth)}
    ports = route_ports()
    for i, port in enumerate(ports, 1):
        configs[f"nats-{i}.conf"] = NatsNode(
            STORE.parent,
            0,
            name=f"devteam-{i}",
            cluster_port=port,
            peers=tuple(p for p in ports if p != port),
            authorization=auth,
            route_secret=secret,
        )
    written = []
    for name, node in configs.items():
        path = directory / name
        write_private_text(path, config_text(node, STORE, listen=False), owner)
        written.append(path)
    return written


def parse_owner(text: str) -> tuple[int, int] | None:
    """`10001:10001` → (10001, 10001); `-` → None (the caller's own)."""
    if text == "-":
        return None
    uid, sep, gid = text.partition(":")
    if not (uid.isdigit() and sep and gid.isdigit()):
        raise ValueError(f"--owner {text!r}: expected UID:GID (or - for yourself)")
    return int(uid), int(gid)
