"""A process whose settings cannot work does not start: it exits 2 and says which setting and
why, without printing the value (the real console scripts, as an operator starts them)."""

import os
import subprocess
import sys
from pathlib import Path

from devteam_cli.nats_server import free_port
from devteam_tenants import new_key

BIN = Path(sys.executable).parent


def start(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [str(BIN / script)], env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_the_gateway_refuses_a_placeholder_admin_token_in_production() -> None:
    done = start(
        "devteam-gateway",
        DEVTEAM_PRODUCTION="true",
        DEVTEAM_SECRETS_KEY=new_key(),
        DEVTEAM_ADMIN_TOKEN="changeme",
        DEVTEAM_GATEWAY_PORT=str(free_port()),
    )
    assert done.returncode == 2, done.stderr
    assert "placeholder" in done.stderr and "not starting" in done.stderr
    assert "changeme" not in done.stderr


def test_a_stage_refuses_a_malformed_secrets_key_without_showing_it(nats_url: str) -> None:
    bad = "zzzz-not-a-key-but-maybe-a-secret"
    done = start("devteam-prep", DEVTEAM_NATS_URL=nats_url, DEVTEAM_SECRETS_KEY=bad)
    assert done.returncode == 2, done.stderr
    assert "DEVTEAM_SECRETS_KEY is not base64" in done.stderr and "not starting" in done.stderr
    assert bad not in done.stderr
