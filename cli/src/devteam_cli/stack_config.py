"""What `devteam up` is asked to start: flags first, then `DEVTEAM_*` variables, then
defaults, made into one `StackConfig` (replicas per service, the NATS nodes and their
credentials, ports and tokens)."""

import sys
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr

from devteam_bus.credentials import (
    credentials_path,
    ensure_credentials,
    private_dir,
    public_keys,
    route_secret,
    write_private,
)
from devteam_bus.nats_auth import Identity, authorization
from devteam_cli.nats_server import NatsNode, cluster_nodes, free_port
from devteam_cli.settings import UpSettings
from devteam_tenants.settings import new_key
from devteam_tenants.tokens import new_token

SERVICES = ("gateway", "selector", "prep", "implement", "verify")
# The gateway listens on one port: scale it behind a load balancer (or with compose), not here.
SCALABLE = frozenset(SERVICES) - {"gateway"}
MAX_REPLICAS = 16
CLUSTER_SIZES = (1, 3, 5)  # a JetStream cluster needs a majority: odd sizes only
NATS_AUTH_DIR = "nats-auth"


def parse_scale(items: list[str]) -> dict[str, int]:
    """`["implement=3", "verify=2"]` → replicas per service (1 for the others).

    `ValueError` with a clear message for an unknown service or a bad count.
    """
    scale = dict.fromkeys(SERVICES, 1)
    for item in items:
        name, sep, count = item.partition("=")
        name = name.strip()
        if not sep or name not in SERVICES:
            raise ValueError(
                f"--scale {item!r}: expected SERVICE=N with SERVICE one of "
                f"{', '.join(sorted(SCALABLE))}"
            )
        if name not in SCALABLE:
            raise ValueError("--scale: the gateway runs once under devteam up (it owns the port)")
        try:
            replicas = int(count)
        except ValueError:
            raise ValueError(f"--scale {item!r}: N must be a whole number") from None
        if not 1 <= replicas <= MAX_REPLICAS:
            raise ValueError(f"--scale {item!r}: N must be between 1 and {MAX_REPLICAS}")
        scale[name] = replicas
    return scale


@dataclass
class StackConfig:
    """What `devteam up` was asked to start."""

    data_dir: Path
    gateway_port: int
    nats_port: int
    tenant: str
    token: str
    host: str = "127.0.0.1"
    admin_token: str = field(default_factory=new_token, repr=False)
    scale: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SERVICES, 1))
    cluster: int = 1
    nodes: list[NatsNode] = field(default_factory=list)
    # The stage services run this much nicer than NATS and the gateway (and their untrusted
    # work nicer again): the bus and the API stay responsive on a machine the work saturates.
    stage_nice: int = 5
    # nats-server's `authorization` block (public keys and permissions of every identity)
    # and the cluster's route password: see `nats_credentials`.
    nats_authorization: str = field(default="", repr=False)
    nats_route_secret: str | None = field(default=None, repr=False)
    metrics_port: int = field(default_factory=free_port)  # the gateway's operator listener
    # What the services are given: Aider's own environment, the verify toolchain (None: the
    # verify worker's own interpreter's) and the secret store's key.
    aider_python: str = ""
    toolchain: str | None = None
    secrets_key: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.nodes:
            auth, secret = self.nats_authorization, self.nats_route_secret
            self.nodes = (
                cluster_nodes(self.data_dir, self.cluster, self.nats_port, auth, secret)
                if self.cluster > 1
                else [
                    NatsNode(
                        self.data_dir, self.nats_port, monitor_port=free_port(), authorization=auth
                    )
                ]
            )

    @property
    def credentials_dir(self) -> Path:
        """Every identity's NATS credentials (0700; a file per identity, 0600)."""
        return self.data_dir / NATS_AUTH_DIR

    def credentials(self, identity: Identity) -> Path:
        """The path of an identity's NATS credentials file."""
        return credentials_path(self.credentials_dir, identity)

    @property
    def nats_url(self) -> str:
        """Every node's URL, comma-separated (clients fail over between them)."""
        return ",".join(node.url for node in self.nodes)

    def nats_name(self, node: NatsNode) -> str:
        """The node's process name: `nats-server` alone, `nats-<i>` in a cluster."""
        return node.data_dir.name if self.cluster > 1 else "nats-server"

    def processes(self) -> list[tuple[str, str]]:
        """(process name, service) of every replica: `implement-1`, `implement-2`, …"""
        return [(f"{s}-{i}", s) for s in SERVICES for i in range(1, self.scale.get(s, 1) + 1)]


def nats_credentials(data_dir: Path) -> tuple[str, str]:
    """nats-server's `authorization` block and the cluster's route password, from the
    credentials in `<data>/nats-auth` (made on the first start, kept after)."""
    directory = data_dir / NATS_AUTH_DIR
    creds = ensure_credentials(directory)
    return authorization(public_keys(creds)), route_secret(directory)


def config_from(
    data_dir: str | None,
    port: int | None,
    nats_port: int | None,
    tenant: str | None,
    scale: list[str] | None = None,
    cluster: int = 1,
    settings: UpSettings | None = None,
) -> StackConfig:
    """Flags first, then `DEVTEAM_*` variables (`UpSettings`), then defaults."""
    if cluster not in CLUSTER_SIZES:
        raise ValueError(f"--cluster {cluster}: a NATS cluster has 1, 3 or 5 nodes")
    settings = settings or UpSettings()
    scales = parse_scale(scale or [])
    root = private_dir(Path(data_dir or settings.data_dir).resolve())
    auth, secret = nats_credentials(root)
    return StackConfig(
        stage_nice=settings.stage_nice,
        cluster=cluster,
        scale=scales,
        nats_authorization=auth,
        nats_route_secret=secret,
        data_dir=root,
        gateway_port=port or settings.gateway_port,
        nats_port=nats_port or settings.nats_port or free_port(),
        metrics_port=settings.gateway_metrics_port or free_port(),
        tenant=tenant or settings.tenant,
        token=_secret(settings.api_token) or new_token(),
        admin_token=_secret(settings.admin_token) or new_token(),
        aider_python=str(settings.aider_python or checkout_tools() / "aider" / "bin" / "python"),
        toolchain=default_toolchain(settings),
        secrets_key=_secret(settings.secrets_key) or local_secrets_key(root),
    )


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def checkout_tools() -> Path:
    """`.tools` of the checkout this interpreter's venv (`.venv`) belongs to."""
    return Path(sys.prefix).resolve().parent / ".tools"


def default_toolchain(settings: UpSettings) -> str | None:
    """The verify toolchain: `$DEVTEAM_TOOLCHAIN`, else `.tools/toolchain/bin` of this checkout
    (pytest only, made by `make setup`), else None: the verify worker's own interpreter's."""
    if settings.toolchain is not None:
        return str(settings.toolchain)
    local = checkout_tools() / "toolchain" / "bin"
    return str(local) if (local / "python").exists() else None


def local_secrets_key(data_dir: Path) -> str:
    """The local key in `<data>/secrets.key` (made once, 0600)."""
    path = data_dir / "secrets.key"
    if not path.exists():
        write_private(path, new_key() + "\n")
    return path.read_text().strip()
