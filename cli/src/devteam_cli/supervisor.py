"""`devteam up`: the whole topology on one machine, without Docker.

An embedded nats-server with JetStream, the streams and buckets provisioned, a development API
token, and one process per service replica (`--scale implement=3`: replicas of a stage share
its durable consumer). Every process has its own data directory, `services/<name>-<n>/`, as
it would on its own machine: stages share nothing but NATS. Services that die are restarted
with back-off, and so is nats-server (on the same port and store). `--cluster 3` runs three
nats-servers routed to each other on loopback, every stream and bucket with three replicas.
Ctrl-C (or SIGTERM) stops the services first (they drain), then NATS.

NATS asks every client for credentials: each service, provisioning and the operator's CLI
sign in with an nkey of their own (`<data>/nats-auth/<identity>.nk`, made once, 0600), and
each may do only what `devteam_bus.nats_auth` grants it. The data directory is 0700.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from devteam_bus.connection import connect
from devteam_bus.credentials import private_dir
from devteam_bus.nats_auth import Identity
from devteam_bus.provision import provision
from devteam_bus.settings import BusSettings
from devteam_cli.nats_server import NatsNode, start_nats, stop_process
from devteam_cli.stack_config import (
    CLUSTER_SIZES,
    MAX_REPLICAS,
    NATS_AUTH_DIR,
    SCALABLE,
    SERVICES,
    StackConfig,
    checkout_tools,
    config_from,
    default_toolchain,
    nats_credentials,
    parse_scale,
)
from devteam_sandbox.sandbox import summary as sandbox_summary
from devteam_tenants.tokens import TokenStore

# What `devteam up` is asked to start lives in `stack_config`; these names stay importable
# from here.
__all__ = [
    "CLUSTER_SIZES",
    "MAX_REPLICAS",
    "NATS_AUTH_DIR",
    "SCALABLE",
    "SERVICES",
    "Child",
    "StackConfig",
    "banner",
    "checkout_tools",
    "config_from",
    "default_toolchain",
    "nats_credentials",
    "parse_scale",
    "prepare_bus",
    "run_stack",
    "service_env",
    "service_of",
    "spawn",
    "wait_ready",
    "write_stack_file",
]


@dataclass
class Child:
    """One supervised process: a service replica, or a nats-server (`node`)."""

    name: str
    service: str
    proc: subprocess.Popen[bytes]
    restarts: int = 0
    started: float = field(default_factory=time.monotonic)
    node: NatsNode | None = None

    def restart_due(self) -> bool:
        """Dead, and past its back-off: none after a minute up, else 1, 2, 4 … 30 s since
        its last start (a process that keeps dying at start-up is not restarted in a loop)."""
        up = time.monotonic() - self.started
        return self.proc.poll() is not None and (up >= 60 or up >= min(2**self.restarts, 30))


def service_env(cfg: StackConfig, name: str) -> dict[str, str]:
    """Environment of the service process `name` (its own data directory)."""
    env = dict(os.environ)
    env.update(
        {
            "DEVTEAM_NATS_URL": cfg.nats_url,
            "DEVTEAM_NATS_REPLICAS": str(cfg.cluster),
            "DEVTEAM_DATA_DIR": str(cfg.data_dir / "services" / name),
            "DEVTEAM_GATEWAY_HOST": cfg.host,
            "DEVTEAM_GATEWAY_PORT": str(cfg.gateway_port),
            "DEVTEAM_AIDER_PYTHON": cfg.aider_python,
            "DEVTEAM_SECRETS_KEY": cfg.secrets_key,
            "DEVTEAM_ADMIN_TOKEN": cfg.admin_token,
            "PYTHONUNBUFFERED": "1",
            "DEVTEAM_PROCESS_NAME": name,
            # The path of the service's own credentials, never the seed itself.
            "DEVTEAM_NATS_CREDENTIALS": str(cfg.credentials(Identity(service_of(name)))),
        }
    )
    if cfg.toolchain:
        env["DEVTEAM_TOOLCHAIN"] = cfg.toolchain
    env.pop("DEVTEAM_API_TOKEN", None)  # services never need the development token
    # /metrics names every tenant: an operator-only listener on loopback, its own port.
    env["DEVTEAM_GATEWAY_METRICS_HOST"] = "127.0.0.1"
    env["DEVTEAM_GATEWAY_METRICS_PORT"] = str(cfg.metrics_port)
    return env


def service_of(name: str) -> str:
    """`implement-2` → `implement`."""
    return name.rsplit("-", 1)[0]


def spawn(name: str, service: str, cfg: StackConfig) -> subprocess.Popen[bytes]:
    """Start one replica of a service's console script, its output appended to
    `logs/<name>.log`."""
    logs = cfg.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (cfg.data_dir / "services" / name).mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).parent / f"devteam-{service}"
    nice = 0 if service == "gateway" else cfg.stage_nice
    with open(logs / f"{name}.log", "ab") as out:
        return subprocess.Popen(
            [str(exe)], stdout=out, stderr=subprocess.STDOUT, env=service_env(cfg, name),
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )  # fmt: skip


async def prepare_bus(cfg: StackConfig) -> None:
    """Provision streams and buckets and register the development token (retried while a
    cluster's JetStream elects its first meta leader)."""
    settings = BusSettings(
        nats_url=cfg.nats_url,
        nats_replicas=cfg.cluster,
        nats_credentials=cfg.credentials(Identity.PROVISION),
    )
    bus = await connect(settings, "devteam-up")
    try:
        await bus.retrying(lambda: provision(bus, settings), "provisioning")
        await bus.retrying(lambda: TokenStore(bus).add(cfg.token, cfg.tenant), "the dev token")
    finally:
        await bus.close()


def wait_ready(url: str, children: list[Child], timeout_s: float = 60) -> None:
    """Wait until the gateway answers /readyz (or a service dies trying)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for child in children:
            if child.proc.poll() is not None:
                raise RuntimeError(f"{child.name} exited with {child.proc.returncode} at start-up")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=1) as resp:  # noqa: S310
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gateway not ready within {timeout_s:.0f} s")


def write_stack_file(cfg: StackConfig, url: str, children: list[Child]) -> None:
    """`stack.json`: how to reach the stack and the pids of its processes (kept current when
    a process is restarted); written atomically, readers never see a partial file."""
    tmp = cfg.data_dir / "stack.json.tmp"
    info = {
        "gateway_url": url,
        "nats_url": cfg.nats_url,
        "nats_monitor": {cfg.nats_name(n): f"http://127.0.0.1:{n.monitor_port}" for n in cfg.nodes},
        "metrics_url": f"http://127.0.0.1:{cfg.metrics_port}/metrics",
        # The operator's CLI finds NATS and its credentials here (devteam_cli.settings).
        "nats_credentials": {
            who.value: str(cfg.credentials(who)) for who in (Identity.OPERATOR, Identity.PROVISION)
        },
        "tenant": cfg.tenant,
        "pids": {c.name: c.proc.pid for c in children},
    }
    tmp.write_text(json.dumps(info, indent=2))
    tmp.rename(cfg.data_dir / "stack.json")


def run_stack(cfg: StackConfig) -> int:
    """Start everything, print how to reach it, supervise until told to stop."""
    private_dir(cfg.data_dir)
    stop = False

    def on_signal(_sig: int, _frame: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    logs = cfg.data_dir / "logs"

    def start_node(node: NatsNode) -> subprocess.Popen[bytes]:
        return start_nats(node, logs / f"{node.data_dir.name if cfg.cluster > 1 else 'nats'}.log")

    nats = [Child(cfg.nats_name(n), "nats", start_node(n), node=n) for n in cfg.nodes]
    children: list[Child] = []
    try:
        asyncio.run(prepare_bus(cfg))
        children = [Child(name, svc, spawn(name, svc, cfg)) for name, svc in cfg.processes()]
        url = f"http://{cfg.host}:{cfg.gateway_port}"
        wait_ready(url, children)
        write_stack_file(cfg, url, nats + children)
        started = ", ".join(f"{c.name} (pid {c.proc.pid})" for c in children)
        servers = ", ".join(f"{c.name} (pid {c.proc.pid}, port {c.node.port})"
                            for c in nats if c.node)  # fmt: skip
        print(f"started {servers}, {started}", flush=True)
        for line in banner(cfg, url):
            print(line, flush=True)
        while not stop:
            time.sleep(0.2)
            for child in nats + children:
                if not child.restart_due():
                    continue
                print(f"{child.name} exited ({child.proc.returncode}); restarting", flush=True)
                child.restarts += 1
                child.started = time.monotonic()
                try:
                    # A nats-server comes back on the same port and store: JetStream
                    # recovers its streams (a cluster node catches up from its peers), the
                    # services reconnect on their own and redelivery resumes the work.
                    child.proc = (
                        start_node(child.node)
                        if child.node
                        else spawn(child.name, child.service, cfg)
                    )
                except RuntimeError as exc:
                    print(f"{child.name} did not restart: {exc}", flush=True)
                    continue
                write_stack_file(cfg, url, nats + children)
    finally:
        for child in children:
            if child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)
        for child in children:
            stop_process(child.proc, grace_s=40)
        for child in nats:
            stop_process(child.proc)
        (cfg.data_dir / "stack.json").unlink(missing_ok=True)
        print("DevTeam Runner stopped", flush=True)
    return 0


def banner(cfg: StackConfig, url: str) -> list[str]:
    """What `devteam up` tells the operator once everything is up."""
    operator = cfg.credentials(Identity.OPERATOR)
    return [
        f"DevTeam Runner is up: {url}",
        f"API token (tenant {cfg.tenant}): {cfg.token}",
        f"admin token (/v1/admin): {cfg.admin_token}",
        f"NATS: {cfg.nats_url} (credentials required; each service has its own in "
        f"{cfg.credentials_dir})",
        f"operator CLI: `devteam status` etc. next to {cfg.data_dir} find NATS and their "
        f"credentials in stack.json; elsewhere DEVTEAM_NATS_URL={cfg.nats_url} "
        f"DEVTEAM_NATS_CREDENTIALS={operator}",
        f"metrics (operators only, loopback): http://127.0.0.1:{cfg.metrics_port}/metrics",
        sandbox_summary(),
        f"data: {cfg.data_dir}  logs: {cfg.data_dir / 'logs'}  (Ctrl-C stops)",
    ]
