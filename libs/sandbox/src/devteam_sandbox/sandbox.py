"""A tenant's commands (setup and checks) in a box: their worktree, a private HOME and /tmp,
the toolchain and the system directories, as an unprivileged user, with a scrubbed
environment, no network for checks and the internet-but-not-us for setup.

Backends (`DEVTEAM_SANDBOX`, in `SandboxSettings`): `bwrap` (bubblewrap: the file system of
`filesystem.py`, its own PID, IPC, UTS and network namespaces), `docker` (one container per
command, the project's toolchain image), or `none` (only the scrubbed environment, the user
switch and limits: for a worker that is already inside a box of its own). `auto` picks bwrap
when it is installed. A box carries the settings it was opened with; its commands run by them.
"""

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from devteam_sandbox import filesystem
from devteam_sandbox import network as setup_network
from devteam_sandbox.docker_backend import choose_image, run_in_container
from devteam_sandbox.filesystem import TOOLCHAIN_VAR, Mounts, toolchain_dir
from devteam_sandbox.gitview import GitView, make_view
from devteam_sandbox.identity import (
    SandboxUser,
    can_switch_users,
    give_tree,
    passwd_lines,
    user_for,
)
from devteam_sandbox.limits import CheckLimits
from devteam_sandbox.process import LineSink, ProcessResult, run_process

if TYPE_CHECKING:
    from devteam_sandbox.settings import SandboxSettings

__all__ = ["TOOLCHAIN_VAR", "Activation", "Box", "describe", "open_box", "run_sandboxed"]

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
# Inside a toolchain container: its own PATH.
CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_SETPRIV = "/usr/bin/setpriv"


@dataclass(frozen=True)
class Activation:
    """A project environment the commands run in (`environments`): directories bound at
    their own paths (writable only while setup builds it), variables (`VIRTUAL_ENV`, the
    tenant's package caches) and the directories put first on PATH."""

    binds: tuple[tuple[Path, bool], ...] = ()
    variables: Mapping[str, str] = field(default_factory=dict)
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class Box:
    """Where one tenant's commands run: its worktree, a HOME and generated /etc files of its
    own (under `root`), what it sees of the repository its worktree belongs to, the user it
    runs as (None: this worker's own, it cannot switch), and how this worker boxes commands
    (the settings the box was opened with: its commands run by them)."""

    root: Path
    worktree: Path
    user: SandboxUser | None
    settings: "SandboxSettings"
    git: GitView | None = None
    activation: Activation = Activation()

    @property
    def home(self) -> Path:
        """The private HOME."""
        return self.root / "home"

    @property
    def etc(self) -> Path:
        """passwd, group, hosts and resolv.conf of the box's own."""
        return self.root / "etc"


@contextlib.asynccontextmanager
async def open_box(
    scratch: Path,
    tenant: str,
    worktree: Path,
    git: tuple[Path, str] | None = None,
    *,
    settings: "SandboxSettings",
) -> AsyncIterator[Box]:
    """A box for `tenant`'s commands on `worktree` under `scratch` (a directory of this
    worker's own): the worktree handed to the tenant's user, a fresh HOME; all of it but the
    worktree removed afterwards. `git` is (the tree's git directory, its commit) when the
    worktree is a linked one of a mirror: the box sees the mirror's objects and this tree's
    own state, read-only (`gitview`). `settings` are this worker's: the tenant's user, and
    how the box's commands run (`run_sandboxed`)."""
    box = await asyncio.to_thread(_make_box, scratch, tenant, worktree, git, settings)
    try:
        yield box
    finally:
        await asyncio.to_thread(shutil.rmtree, box.root, True)


def _make_box(
    scratch: Path,
    tenant: str,
    worktree: Path,
    git: tuple[Path, str] | None,
    settings: "SandboxSettings",
) -> Box:
    root = (scratch / uuid.uuid4().hex).resolve()
    root.mkdir(parents=True, mode=0o755)
    view = make_view(*git, root / "git") if git else None
    box = Box(root, worktree.resolve(), user_for(tenant, settings), settings, view)
    box.etc.mkdir(mode=0o755)
    box.home.mkdir(mode=0o700)
    passwd, group = passwd_lines(box.user, box.home)
    files = {
        "passwd": passwd,
        "group": group,
        "hosts": filesystem.HOSTS,
        "hostname": filesystem.HOSTNAME + "\n",
        "resolv.conf": setup_network.RESOLV_CONF,
    }
    for name, text in files.items():
        (box.etc / name).write_text(text)
        (box.etc / name).chmod(0o644)
    if box.user is not None:
        os.chown(box.home, box.user.uid, box.user.gid)
        give_tree(box.worktree, box.user)
    return box


def host_path(settings: "SandboxSettings") -> str:
    """The commands' PATH outside a container: the toolchain first, then the system's."""
    return f"{toolchain_dir(settings)}:{SYSTEM_PATH}"


def scrubbed_env(
    home: Path | str, path: str, activation: Activation = Activation()
) -> dict[str, str]:
    """A minimal environment: no inherited variables (no API keys, tokens or NATS URLs), the
    project environment's own (`activation`) added, `path` (`host_path`, or a container's)
    searched after the environment's directories. git may read the repository it is shown,
    which belongs to another user."""
    return {
        **activation.variables,
        "PATH": ":".join((*activation.path, path)),
        "HOME": str(home),
        "USER": "devteam",
        "LOGNAME": "devteam",
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",  # noqa: S108 - a private tmpfs inside the box
        "CI": "true",
        "PYTHONDONTWRITEBYTECODE": "1",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "safe.directory",
        "GIT_CONFIG_VALUE_0": "*",
    }


def bwrap_available() -> bool:
    """True when bubblewrap is installed and usable here."""
    return shutil.which("bwrap") is not None


def bwrap_argv(box: Box, command: str, *, network: bool, extra: list[str]) -> list[str]:
    """bwrap running `command` with /bin/sh in the box's worktree, as the box's user."""
    mounts = Mounts()
    mounts.system()
    mounts.special()
    mounts.tmpfs("/tmp")  # noqa: S108 - private, empty
    mounts.tmpfs("/etc", "0755")
    for entry in filesystem.etc_entries(box.settings):
        mounts.bind(entry)
    for name in ("passwd", "group", "hosts", "hostname", *(["resolv.conf"] if network else [])):
        mounts.bind(box.etc / name, f"/etc/{name}")
    # after /tmp: a CI checkout's toolchain (or worktree) may itself live under /tmp
    for root in filesystem.toolchain_roots(box.settings):
        mounts.bind(root)
    if box.git is not None:
        mounts.tmpfs(str(box.git.mirror), "0755")
        for source, dest in box.git.binds():
            mounts.bind(source, dest)
    mounts.bind(box.worktree, write=True)
    mounts.bind(box.home, write=True)
    for source, writable in box.activation.binds:
        mounts.bind(source, write=writable)
    return [
        shutil.which("bwrap") or "bwrap",
        *mounts.args,
        "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try", "--hostname", filesystem.HOSTNAME,
        "--die-with-parent",
        # No --new-session: run_process already gave the command its own session, without a
        # controlling terminal (nothing to inject into); another session would also be a new
        # scheduler autogroup, back at normal priority.
        *extra,
        "--chdir", str(box.worktree),
        "--",
        *_as_user(box.user),
        "/bin/sh", "-c", command,
    ]  # fmt: skip


def _as_user(user: SandboxUser | None) -> list[str]:
    """The prefix that drops root for the box's user (inside the sandbox: bwrap mounts as
    root first), with no capabilities left and none to gain."""
    if user is None:
        return []
    return [
        _SETPRIV, f"--reuid={user.uid}", f"--regid={user.gid}", "--clear-groups",
        "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--",
    ]  # fmt: skip


async def run_sandboxed(
    command: str,
    *,
    box: Box,
    timeout_s: float,
    on_line: LineSink | None = None,
    network: bool = False,
    limits: CheckLimits | None = None,
    image: str | None = None,
) -> ProcessResult:
    """Run one command in `box`, sandboxed by the backend of the box's settings
    (`DEVTEAM_SANDBOX`), under `limits`, at the work's priority (`DEVTEAM_WORK_NICE`).

    `network=True` is for setup commands (installing dependencies: the internet, never this
    host or private ranges; no network at all where `network.available()` is false); checks
    get none. `image` is the project's toolchain image (Docker backend only).
    `NetworkSetupError` when a setup command's network cannot be made.
    """
    settings = box.settings
    chosen = backend(settings)
    wants_net = network and _network_available(chosen)
    if chosen == "docker":
        return await run_in_container(
            command, image=choose_image(image, settings), box=box,
            env=scrubbed_env(box.home, CONTAINER_PATH, box.activation), timeout_s=timeout_s,
            limits=limits or CheckLimits(), on_line=on_line, network=wants_net,
        )  # fmt: skip
    env = scrubbed_env(box.home, host_path(settings), box.activation)
    nice = settings.work_nice
    if chosen == "none":
        argv = [*_as_user(box.user), "/bin/sh", "-c", command]
        return await run_process(argv, cwd=box.worktree, env=env, timeout_s=timeout_s,
                                 nice=nice, on_line=on_line, limits=limits)  # fmt: skip
    net = setup_network.BwrapNetwork() if wants_net else None
    try:
        argv = bwrap_argv(box, command, network=wants_net, extra=net.bwrap_args() if net else [])
        return await run_process(
            argv, cwd=box.worktree, env=env, timeout_s=timeout_s, nice=nice, on_line=on_line,
            limits=limits, pass_fds=net.pass_fds if net else (),
            started=net.started if net else None,
        )  # fmt: skip
    finally:
        if net is not None:
            await net.close()


def _network_available(chosen: str) -> bool:
    return chosen != "none" and setup_network.available()


def backend(settings: "SandboxSettings") -> str:
    """The sandbox this worker uses: `DEVTEAM_SANDBOX` = `docker`, `bwrap`, `none`, or `auto`
    (the default: bwrap when it is installed, else none)."""
    if settings.sandbox == "auto":
        return "bwrap" if bwrap_available() else "none"
    return settings.sandbox


def describe_user() -> str:
    """Who untrusted work runs as here."""
    if can_switch_users():
        return "an unprivileged user of its tenant's own (uid from DEVTEAM_SANDBOX_UID_BASE)"
    return (
        f"this worker's own user (uid {os.getuid()}): not root, so it cannot switch users; "
        "commands can read whatever this user can read where they see it"
    )


def describe(
    limits: CheckLimits, image: str | None = None, *, settings: "SandboxSettings"
) -> dict[str, object]:
    """What isolation the commands get here (this worker's `settings`), as reported with the
    run: never more than holds."""
    chosen = backend(settings)
    user = {"switched": can_switch_users(), "runs_as": describe_user()}
    setup = "host (not isolated)" if chosen == "none" else setup_network.describe()
    if chosen == "docker":
        return {
            "backend": "docker",
            "image": choose_image(image, settings),
            "user": user,
            "network": "none",
            "setup_network": setup,
            "filesystem": "the image's root read-only; the worktree, and the project's git "
            "objects and this tree's git state (read-only) bind-mounted; private /tmp and HOME",
            "limits": limits.describe(),
            "processes_limited": True,
        }
    bwrap = chosen == "bwrap"
    return {
        "backend": chosen,
        "user": user,
        "network": "none" if bwrap else "host (not isolated)",
        "setup_network": setup,
        "filesystem": (
            "explicit mounts only: the worktree, a private HOME and /tmp, the project's git "
            "objects and this tree's git state and the toolchain (read-only), /usr and the "
            "system's /etc files (read-only)"
            if bwrap
            else "not isolated"
        ),
        "limits": limits.describe(),
        # RLIMIT_NPROC binds every user but root, and a root worker switches to the tenant's
        # user (and counts its processes in a pids cgroup too when it can make one)
        "processes_limited": True,
    }


def summary(settings: "SandboxSettings | None" = None) -> str:
    """One line for an operator: how untrusted work is boxed on this machine, by `settings`
    (by default the ones of this process's environment, which `devteam up` passes on to its
    workers)."""
    if settings is None:
        from devteam_sandbox.settings import SandboxSettings  # (it imports this module)

        settings = SandboxSettings()
    chosen = backend(settings)
    if can_switch_users():
        who = "as an unprivileged user per tenant"
    else:
        who = f"as THIS user (uid {os.getuid()}, not root: cannot switch users)"
    if chosen == "none":
        return f"sandbox: NONE (the host's file system and network), untrusted work runs {who}"
    net = (
        "setup: the internet only (slirp4netns)"
        if setup_network.available()
        else "setup: NO network (install slirp4netns)"
    )
    return f"sandbox: {chosen}, untrusted work runs {who}; checks: no network; {net}"
