"""The box a tenant's commands run in, attacked from inside: what they can read, who they are,
and where setup's network goes. Every escape is tried for real; none may work.

The data directory lives outside /tmp here (the box has a /tmp of its own, which would hide a
data directory under /tmp whatever else the box did)."""

import asyncio
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from devteam_cli.demo_project import create_demo_repo
from devteam_git.urls import normalize_repo_url
from devteam_git.workspace import Workspace
from devteam_sandbox import network
from devteam_sandbox.filesystem import toolchain_roots
from devteam_sandbox.identity import user_for
from devteam_sandbox.sandbox import Box, bwrap_available, open_box, run_sandboxed
from devteam_sandbox.settings import SandboxSettings

pytestmark = [
    pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the user switch needs a root worker"),
]
PY = "python3"
SANDBOX = SandboxSettings(work_nice=0)  # the suite runs at one priority (tests/conftest.py)
SYSTEM = ("bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr")

# Tries to read each path given; prints one JSON object: path → "read: <text>" or the error.
READER = r"""
import json, sys
seen = {}
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            seen[path] = "read: " + f.read(200).decode("utf-8", "replace")
    except OSError as exc:
        seen[path] = type(exc).__name__
print("RESULT " + json.dumps(seen))
"""

# Connects to each host:port given (TCP), then asks for a route to each address (a UDP
# connect: a route lookup, no packet is sent).
NETWORK = r"""
import json, socket, sys
tcp, udp = {}, {}
targets, routes = sys.argv[1].split(","), sys.argv[2].split(",")
for target in targets:
    host, port = target.rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), 2).close()
        tcp[target] = "connected"
    except OSError as exc:
        tcp[target] = type(exc).__name__
for address in routes:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect((address, 53))
        udp[address] = "route"
    except OSError as exc:
        udp[address] = type(exc).__name__
print("RESULT " + json.dumps({"tcp": tcp, "udp": udp, "resolv": open("/etc/resolv.conf").read()
      if __import__("os").path.exists("/etc/resolv.conf") else None}))
"""


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A data directory where an operator would put it: not under /tmp."""
    path = Path("/var/tmp") / f"devteam-boundary-{uuid.uuid4().hex[:8]}"
    path.mkdir(mode=0o700)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
async def victim(data_dir: Path) -> AsyncIterator[Box]:
    """Another tenant's box, open (its HOME holds a file) while the attacker runs."""
    tree = data_dir / "workspaces" / "victim" / "shop" / "tree"
    tree.mkdir(parents=True)
    (tree / "secret_code.py").write_text("VICTIM_CODE = 1\n")
    async with open_box(data_dir / "boxes", "victim", tree, settings=SANDBOX) as box:
        (box.home / "victim-home.txt").write_text("VICTIM_HOME\n")
        yield box


def _result(output: str) -> dict[str, object]:
    line = next(ln for ln in output.splitlines() if ln.startswith("RESULT "))
    parsed: dict[str, object] = json.loads(line[len("RESULT ") :])
    return parsed


async def test_a_box_sees_its_tree_and_nothing_of_the_host(data_dir: Path, victim: Box) -> None:
    (data_dir / "secrets.key").write_text("MASTER_KEY\n")
    (data_dir / "secrets.key").chmod(0o600)
    (data_dir / "nats-server.conf").write_text("authorization { token: NATS_SECRET }\n")
    mirror = data_dir / "mirrors" / "victim" / "0123.git"
    mirror.mkdir(parents=True)
    (mirror / "config").write_text("[remote]\nVICTIM_MIRROR\n")
    operator_file = Path.home() / f".devteam-probe-{uuid.uuid4().hex[:8]}"
    operator_file.write_text("OPERATOR_HOME\n")
    tree = data_dir / "workspaces" / "acme" / "app" / "tree"
    tree.mkdir(parents=True)
    (tree / "mine.txt").write_text("MINE\n")
    targets = [
        str(data_dir / "secrets.key"),
        str(data_dir / "nats-server.conf"),
        str(victim.worktree / "secret_code.py"),
        str(mirror / "config"),
        str(victim.home / "victim-home.txt"),
        str(operator_file),
        "/proc/1/environ",
        f"/proc/{os.getpid()}/environ",  # this worker, were it visible
        "/etc/shadow",
        str(tree / "mine.txt"),
    ]
    try:
        async with open_box(data_dir / "boxes", "acme", tree, settings=SANDBOX) as box:
            (tree / "reader.py").write_text(READER)
            script = (
                f"{PY} reader.py {' '.join(targets)}; echo UID $(id -u); "
                f"echo ROOT $(ls -A /); echo FOUND $(find {data_dir} 2>&1)"
            )
            result = await run_sandboxed(script, box=box, timeout_s=30)
    finally:
        operator_file.unlink()
    output = result.output_tail
    seen = _result(output)
    assert seen.pop(str(tree / "mine.txt")) == "read: MINE\n"  # its own tree it can read
    leaked = {path: what for path, what in seen.items() if str(what).startswith("read:")}
    assert not leaked, leaked
    for secret in ("MASTER_KEY", "NATS_SECRET", "VICTIM", "OPERATOR_HOME"):
        assert secret not in output
    acme = user_for("acme", SANDBOX)
    assert acme is not None and acme != user_for("victim", SANDBOX)
    assert _line(output, "UID") == [str(acme.uid)]  # not root: the tenant's own user
    # the box's root: the system's directories and the ways to its own mounts, nothing else
    mounts = [*toolchain_roots(SANDBOX), str(tree), str(box.root)]
    allowed = set(SYSTEM) | {Path(m).parts[1] for m in mounts}
    assert set(_line(output, "ROOT")) <= allowed, _line(output, "ROOT")
    # of the data directory, only the ways to its own tree and HOME exist
    for found in _line(output, "FOUND"):
        assert any(found in m or m in found for m in mounts), found


def _line(output: str, tag: str) -> list[str]:
    return next(ln for ln in output.splitlines() if ln.startswith(f"{tag} ")).split()[1:]


async def test_what_the_services_keep_is_unreadable_to_a_box_user_even_where_visible(
    data_dir: Path,
) -> None:
    # The `none` backend shows the host's file system as it is: only the user switch and the
    # files' modes (0600 secrets in a 0700 data directory) stand between the command and them.
    unboxed = SandboxSettings(work_nice=0, sandbox="none")
    (data_dir / "secrets.key").write_text("MASTER_KEY\n")
    (data_dir / "secrets.key").chmod(0o600)
    tree = data_dir / "workspaces" / "acme" / "app" / "tree"
    tree.mkdir(parents=True)
    targets = f"{data_dir / 'secrets.key'} /proc/1/environ /proc/{os.getpid()}/environ"
    async with open_box(data_dir / "boxes", "acme", tree, settings=unboxed) as box:
        script = f"for p in {targets}; do cat $p || echo DENIED $p; done"
        result = await run_sandboxed(script, box=box, timeout_s=30)
    assert result.output_tail.count("Permission denied") == 3, result.output_tail
    assert "MASTER_KEY" not in result.output_tail


class _Listener:
    """A TCP server on this host that counts who reaches it."""

    def __init__(self, host: str) -> None:
        self.accepted = 0
        self.host = host
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        async def on_client(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            self.accepted += 1
            w.close()

        self._server = await asyncio.start_server(on_client, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


@pytest.mark.skipif(not network.available(), reason="slirp4netns is not installed")
async def test_setup_reaches_the_internet_but_not_this_host(data_dir: Path) -> None:
    loopback = _Listener("127.0.0.1")
    everywhere = _Listener("0.0.0.0")  # noqa: S104 - a service listening on all interfaces
    await loopback.start()
    await everywhere.start()
    hosts = network.host_addresses()
    tcp = [
        f"127.0.0.1:{loopback.port}",  # the namespace's own loopback
        f"{network.GATEWAY}:{loopback.port}",  # slirp4netns's way to the host's loopback
        f"{network.GATEWAY}:{everywhere.port}",
        *(f"{address}:{everywhere.port}" for address in hosts),
    ]
    private = ["10.1.2.3", "172.17.0.1", "192.168.1.1", "169.254.169.254", "100.100.1.1", *hosts]
    public = "198.51.100.7"
    tree = data_dir / "tree"
    tree.mkdir()
    (tree / "net.py").write_text(NETWORK)
    try:
        async with open_box(data_dir / "boxes", "acme", tree, settings=SANDBOX) as box:
            command = f"{PY} net.py {','.join(tcp)} {','.join([*private, public])}"
            setup = await run_sandboxed(command, box=box, timeout_s=60, network=True)
            check = await run_sandboxed(command, box=box, timeout_s=60, network=False)
    finally:
        await loopback.stop()
        await everywhere.stop()
    assert loopback.accepted == 0 and everywhere.accepted == 0
    seen = _result(setup.output_tail)
    assert not [t for t, what in seen["tcp"].items() if what == "connected"], seen  # type: ignore[union-attr]
    udp = seen["udp"]
    assert isinstance(udp, dict)
    assert udp.pop(public) == "route", "setup has a route to the internet"
    assert set(udp.values()) <= {"OSError", "ConnectionRefusedError"} and udp, udp
    assert seen["resolv"] == f"nameserver {network.DNS}\n"  # names through slirp's forwarder
    checked = _result(check.output_tail)
    assert set(checked["udp"].values()) == {"OSError"}, checked  # type: ignore[union-attr]
    assert checked["resolv"] is None


async def test_git_works_in_the_box_on_its_own_commit_and_sees_no_more_of_the_mirror(
    data_dir: Path,
) -> None:
    # A linked worktree of the project's mirror, as the verify stage has it: git inside the
    # box finds its commit and its diff, but no other branch, no remote, no other tree.
    remote = create_demo_repo(data_dir / "remote")
    ws = Workspace(data_dir / "verify", "acme", "app", normalize_repo_url(str(remote)))
    base = await ws.sync("main")
    other = Workspace(data_dir / "verify", "acme", "other", normalize_repo_url(str(remote)))
    await other.prepare("run-0", "9", base)  # another project's tree in the same mirror
    tree = await ws.prepare("run-1", "1", base)
    (tree / "calc.py").write_text("changed = True\n")
    script = (
        "echo HEAD $(git rev-parse HEAD); git diff --stat; echo REFS $(git for-each-ref | wc -l); "
        f"echo TREES $(ls {ws.mirror}/worktrees); cat {ws.mirror}/config; "
        f"git -C {other.tree} status 2>&1 | head -1"
    )
    gitdir = ws.tree_gitdir()
    assert gitdir is not None
    async with open_box(data_dir / "boxes", "acme", tree, (gitdir, base), settings=SANDBOX) as box:
        result = await run_sandboxed(script, box=box, timeout_s=30)
    out = result.output_tail
    assert result.ok, out
    assert _line(out, "HEAD") == [base]
    assert "calc.py | " in out  # the tree's change, against its commit
    assert _line(out, "REFS") == ["0"]  # no branch of another run, no hand-over ref
    assert len(_line(out, "TREES")) == 1  # this tree's state only (the mirror holds two)
    assert str(remote) not in out and "[remote" not in out  # the mirror's config is not shown
    assert "No such file or directory" in out or "cannot change" in out  # the other tree
