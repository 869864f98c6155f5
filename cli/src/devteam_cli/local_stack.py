"""Start `devteam up` as a child process and wait until it is ready (demo and end-to-end tests)."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from devteam_bus.credentials import credentials_path
from devteam_bus.nats_auth import Identity
from devteam_bus.settings import BusSettings
from devteam_cli.nats_server import free_port
from devteam_cli.supervisor import NATS_AUTH_DIR
from devteam_tenants.tokens import new_token


@dataclass(frozen=True)
class RunningStack:
    """A running local topology."""

    url: str
    token: str
    data_dir: Path
    pids: dict[str, int]
    process: subprocess.Popen[bytes]
    nats_url: str  # comma-separated: every node of a cluster
    admin_token: str
    nats_monitor: dict[str, str] = field(default_factory=dict)  # node → monitoring URL (/jsz)
    # The operator's NATS credentials (what `devteam status` uses): tests and benches that
    # talk to the stack's NATS sign in with them.
    nats_credentials: Path | None = None
    metrics_url: str = ""  # the gateway's operator-only /metrics

    def bus_settings(self, **overrides: object) -> BusSettings:
        """Settings to connect to the stack's NATS as its operator."""
        values: dict[str, object] = {"nats_url": self.nats_url,
                                      "nats_credentials": self.nats_credentials}  # fmt: skip
        return BusSettings(**{**values, **overrides})  # type: ignore[arg-type]

    def credentials(self, identity: str) -> Path:
        """The NATS credentials file of an identity of the stack (e.g. `gateway` for another
        gateway process on its NATS)."""
        return credentials_path(self.data_dir / NATS_AUTH_DIR, Identity(identity))

    def cli_env(self) -> dict[str, str]:
        """Variables that point the operator's CLI at this stack."""
        return {
            "DEVTEAM_NATS_URL": self.nats_url,
            "DEVTEAM_NATS_CREDENTIALS": str(self.nats_credentials or ""),
        }


@contextmanager
def local_stack(
    data_dir: Path,
    extra_env: Mapping[str, str] | None = None,
    timeout_s: float = 90,
    scale: Mapping[str, int] | None = None,
    cluster: int = 1,
) -> Iterator[RunningStack]:
    """`devteam up` on free ports under `data_dir` (with `scale` replicas of services, on a
    NATS cluster of `cluster` nodes); stopped with SIGINT (as Ctrl-C) at exit."""
    token, admin = new_token(), new_token()
    env = {**os.environ, **(extra_env or {}), "DEVTEAM_API_TOKEN": token,
           "DEVTEAM_ADMIN_TOKEN": admin}  # fmt: skip
    data_dir.mkdir(parents=True, exist_ok=True)
    stack_file = data_dir / "stack.json"
    stack_file.unlink(missing_ok=True)
    exe = Path(sys.executable).parent / "devteam"
    argv = [str(exe), "up", "--data-dir", str(data_dir), "--port", str(free_port())]
    if cluster > 1:
        argv += ["--cluster", str(cluster)]
    for service, replicas in (scale or {}).items():
        argv += ["--scale", f"{service}={replicas}"]
    with open(data_dir / "devteam-up.log", "ab") as log:
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout_s
        while not stack_file.exists():
            if proc.poll() is not None:
                tail = (data_dir / "devteam-up.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(
                    f"devteam up exited with {proc.returncode}; {data_dir}/devteam-up.log "
                    f"ends:\n{tail}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"devteam up not ready in {timeout_s:.0f} s")
            time.sleep(0.05)
        info = json.loads(stack_file.read_text())
        yield RunningStack(
            info["gateway_url"],
            token,
            data_dir,
            info["pids"],
            proc,
            info["nats_url"],
            admin,
            info["nats_monitor"],
            Path(info["nats_credentials"]["operator"]),
            info["metrics_url"],
        )
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
