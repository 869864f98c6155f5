"""Setup's network: the internet, never us.

Checks get no network at all (a namespace with only its own loopback). A setup command (which
may download dependencies) gets a network namespace of its own with user-mode NAT
(`slirp4netns`): its packets leave through an ordinary socket of this host, so it reaches what
this host reaches, except what the policy below takes away before the command starts:

* the host's loopback services (the gateway, NATS, the model endpoint, the Aider host):
  slirp4netns runs with `--disable-host-loopback`, and the namespace's own 127.0.0.1 is its own;
* private ranges (10/8, 172.16/12, 192.168/16, 169.254/16, the shared 100.64/10) and every
  address of this host's own interfaces: `unreachable` routes in the namespace, so a connect
  fails at the route lookup and no packet leaves (the user-mode network's own 10.0.2.0/24,
  where the DNS forwarder 10.0.2.3 lives, is the one more specific route that stays);
* IPv6 entirely (the namespace has none, so fc00::/7 and the host's v6 addresses too).

Name resolution goes through slirp4netns's DNS forwarder (10.0.2.3), which asks this host's
resolver, so it keeps working where the resolver sits on a private address. The command's
process has no capabilities in the namespace and cannot change its routes.
"""

import asyncio
import contextlib
import fcntl
import ipaddress
import json
import os
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator

from devteam_sandbox.process import die_with_parent

BLOCKED_RANGES = (
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "169.254.0.0/16",
    "100.64.0.0/10",
)
GATEWAY = "10.0.2.2"  # slirp4netns's view of the host (its loopback: disabled)
DNS = "10.0.2.3"  # slirp4netns's DNS forwarder
RESOLV_CONF = f"nameserver {DNS}\n"
READY_TIMEOUT_S = 10.0


class NetworkSetupError(RuntimeError):
    """The setup command's network could not be made (it does not run without its policy)."""


def available() -> bool:
    """True when setup can get a network of its own here (slirp4netns, nsenter and ip, and a
    TUN device this worker may open)."""
    return all(shutil.which(tool) for tool in ("slirp4netns", "nsenter", "ip")) and os.access(
        "/dev/net/tun", os.R_OK | os.W_OK
    )


def describe() -> str:
    """What a setup command's network is, as reported with the run."""
    if not available():
        return (
            "none (slirp4netns is not installed, or /dev/net/tun is not open to this worker: "
            "setup runs without network)"
        )
    return (
        "own namespace with user-mode NAT (slirp4netns): the internet only; no host "
        "loopback, no private ranges (10/8, 172.16/12, 192.168/16, 169.254/16, 100.64/10), "
        "none of this host's addresses, no IPv6"
    )


def host_addresses() -> list[str]:
    """This host's own IPv4 addresses (but loopback's): a route to them would reach services
    listening on all interfaces."""
    try:
        out = subprocess.run(
            ["ip", "-j", "-4", "addr", "show"], capture_output=True, check=True, timeout=5
        ).stdout
        links = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        return []
    found = []
    for link in links:
        for info in link.get("addr_info", []):
            address = ipaddress.ip_address(info.get("local", "0.0.0.0"))  # noqa: S104
            if not address.is_loopback:
                found.append(str(address))
    return found


def route_policy() -> str:
    """`ip -batch` input that makes private ranges and this host's addresses unreachable."""
    targets = [*BLOCKED_RANGES, *(f"{a}/32" for a in host_addresses())]
    return "".join(f"route add unreachable {target}\n" for target in targets)


NS_GET_USERNS = 0xB701  # ioctl: the user namespace that owns a namespace


class _Namespace:
    """The network namespace of a process, held open (no pid reuse can swap it), and the user
    namespace that owns it when that is not ours (an unprivileged bwrap's): entering it first
    is what gives the right to configure the network."""

    def __init__(self, pid: int) -> None:
        self.net = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        try:
            owner = fcntl.ioctl(self.net, NS_GET_USERNS)
        except OSError:
            os.close(self.net)
            raise
        if os.fstat(owner).st_ino == os.stat("/proc/self/ns/user").st_ino:
            os.close(owner)
            self.owner: int | None = None
        else:
            self.owner = owner

    @property
    def fds(self) -> tuple[int, ...]:
        return (self.net,) if self.owner is None else (self.net, self.owner)

    def nsenter(self) -> list[str]:
        args = ["nsenter", f"--net=/proc/self/fd/{self.net}"]
        if self.owner is not None:
            args += [f"--user=/proc/self/fd/{self.owner}", "--preserve-credentials"]
        return args

    def slirp_target(self) -> list[str]:
        args = ["--netns-type=path"]
        if self.owner is not None:
            args.append(f"--userns-path=/proc/self/fd/{self.owner}")
        return [*args, f"/proc/self/fd/{self.net}"]

    def close(self) -> None:
        for fd in self.fds:
            os.close(fd)


@contextlib.asynccontextmanager
async def attached(pid: int) -> AsyncIterator[None]:
    """The network namespace of process `pid` (a sandbox's, made empty) given the policy's
    routes, then user-mode NAT; ready when entered, torn down at exit.
    `NetworkSetupError` when either step fails."""
    try:
        ns = _Namespace(pid)
    except OSError as exc:
        raise NetworkSetupError(f"setup network: the sandbox's namespace: {exc}") from exc
    try:
        async with _configured(ns):
            yield
    finally:
        ns.close()


@contextlib.asynccontextmanager
async def _configured(ns: _Namespace) -> AsyncIterator[None]:
    policy = await asyncio.to_thread(route_policy)
    routes = await asyncio.create_subprocess_exec(
        *ns.nsenter(), "ip", "-batch", "-",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, pass_fds=ns.fds,
    )  # fmt: skip
    out, _ = await routes.communicate(policy.encode())
    if routes.returncode != 0:
        raise NetworkSetupError(f"setup network: routes refused: {out.decode().strip()[-300:]}")
    ready_r, ready_w = os.pipe()
    exit_r, exit_w = os.pipe()
    try:
        slirp = await asyncio.create_subprocess_exec(
            "slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback",
            # (its own mount namespace and dropped capabilities: as root only, where it has
            # them to drop; unprivileged it cannot set its groups up for it)
            *(["--enable-sandbox"] if os.geteuid() == 0 else []),
            "--enable-seccomp", f"--ready-fd={ready_w}",
            f"--exit-fd={exit_r}", *ns.slirp_target(), "tap0",
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, pass_fds=(ready_w, exit_r, *ns.fds),
            preexec_fn=die_with_parent,
        )  # fmt: skip
    finally:
        os.close(ready_w)
        os.close(exit_r)
    try:
        try:
            ready = await asyncio.wait_for(asyncio.to_thread(os.read, ready_r, 1), READY_TIMEOUT_S)
        except TimeoutError:
            ready = b""
        if ready != b"1":
            slirp.kill()
            _, err = await slirp.communicate()
            raise NetworkSetupError(
                f"setup network: slirp4netns did not come up: {err.decode().strip()[-300:]}"
            )
        yield
    finally:
        os.close(ready_r)
        os.close(exit_w)  # slirp4netns exits when this closes
        if slirp.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                slirp.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(slirp.wait(), 5)
            except TimeoutError:
                slirp.kill()
                await slirp.wait()


class BwrapNetwork:
    """Hands bubblewrap a setup command's network: bwrap reports its sandbox's pid on one
    pipe (`--info-fd`) and waits on another (`--block-fd`) until the network is attached, so
    the command never runs without its policy."""

    def __init__(self) -> None:
        info_r, info_w = os.pipe()
        block_r, block_w = os.pipe()
        self._fds = {"info_r": info_r, "info_w": info_w, "block_r": block_r, "block_w": block_w}
        self._attached: contextlib.AbstractAsyncContextManager[None] | None = None

    def bwrap_args(self) -> list[str]:
        """Arguments for bwrap."""
        return ["--info-fd", str(self._fds["info_w"]), "--block-fd", str(self._fds["block_r"])]

    @property
    def pass_fds(self) -> tuple[int, int]:
        """The descriptors bwrap inherits."""
        return (self._fds["info_w"], self._fds["block_r"])

    def _close(self, *names: str) -> None:
        for name in names:
            fd = self._fds.pop(name, None)
            if fd is not None:
                os.close(fd)

    async def started(self, _pid: int) -> None:
        """bwrap is running: attach the network to its sandbox, then let the command go."""
        self._close("info_w", "block_r")  # bwrap has its own copies
        try:
            info = await asyncio.wait_for(asyncio.to_thread(_read_json, self._fds["info_r"]), 10)
        except TimeoutError:
            raise NetworkSetupError("setup network: bwrap did not report its sandbox") from None
        if not info:
            raise NetworkSetupError("setup network: bwrap ended before its sandbox was up")
        network = attached(int(str(info["child-pid"])))
        await network.__aenter__()
        self._attached = network
        os.write(self._fds["block_w"], b"1")

    async def close(self) -> None:
        """Tear the network down and close every pipe."""
        try:
            if self._attached is not None:
                await self._attached.__aexit__(None, None, None)
                self._attached = None
        finally:
            self._close(*list(self._fds))


def _read_json(fd: int) -> dict[str, object] | None:
    data = b""
    while chunk := os.read(fd, 4096):
        data += chunk
        try:
            parsed: dict[str, object] = json.loads(data)
            return parsed
        except ValueError:
            continue
    return None
