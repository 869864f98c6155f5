"""The second sandbox backend: one container per check, through the Docker SDK.

The container runs the project's toolchain image (allow-listed by the operator) as the
tenant's unprivileged user (the worker's own uid where it cannot switch), with a read-only root
file system, the worktree bind-mounted read-write at the same path (and what `gitview` shows
of its repository, read-only), a private /tmp and HOME (tmpfs), no capabilities, memory, CPU
and pids limits from cgroups plus the rlimits of `CheckLimits` as ulimits. Checks have no
network (`none`); a setup command's container starts in a network namespace of its own too,
which gets the setup network's policy and user-mode NAT from the host (`network.attached`,
which needs this worker on the Docker host, as root) before the command proceeds.

The SDK is a blocking HTTP client: its calls run in worker threads, one short call at a time
(the asyncio loop stays the concurrency model; output is handed over line by line).
"""

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from devteam_sandbox import network as setup_network
from devteam_sandbox.limits import MB, CheckLimits, limit_hit
from devteam_sandbox.process import LineSink, OutputLines, ProcessResult

if TYPE_CHECKING:
    from devteam_sandbox.sandbox import Box
    from devteam_sandbox.settings import SandboxSettings

IMAGES_VAR = "DEVTEAM_SANDBOX_IMAGES"
DEFAULT_IMAGE_VAR = "DEVTEAM_SANDBOX_DEFAULT_IMAGE"
LABEL = "devteam.sandbox"
# A setup command waits for its network (the default route slirp4netns adds, after the
# policy's routes) before it runs.
_AWAIT_NETWORK = (
    'until grep -qE "^tap0[[:space:]]+00000000" /proc/net/route; do sleep 0.02; done; '
    'exec /bin/sh -c "$0"'
)


class ImageNotAllowedError(ValueError):
    """The project asks for an image the operator did not allow-list."""


def allowed_images(settings: "SandboxSettings") -> list[str]:
    """`DEVTEAM_SANDBOX_IMAGES` (comma-separated) plus the default image."""
    default = settings.sandbox_default_image.strip()
    return [*([default] if default else []), *settings.images]


def choose_image(requested: str | None, settings: "SandboxSettings") -> str:
    """The image a project's checks run in: the one it asks for when allow-listed, else the
    operator's default. `ImageNotAllowedError` naming the allowed ones otherwise."""
    allowed = allowed_images(settings)
    if requested:
        if requested not in allowed:
            raise ImageNotAllowedError(
                f"sandbox image {requested!r} is not allowed here (allowed: "
                f"{', '.join(allowed) or 'none'}; {IMAGES_VAR})"
            )
        return requested
    default = settings.sandbox_default_image.strip()
    if not default:
        raise ImageNotAllowedError(f"no sandbox image: set {DEFAULT_IMAGE_VAR}")
    return default


def image_id(image: str) -> str:
    """The image's content id (a tag rebuilt is another toolchain); its name when the engine
    cannot say (the command that runs in it will tell what is wrong)."""
    try:
        return str(_client().images.get(image).id)
    except Exception:
        return image


def _client() -> Any:
    import docker  # only where this backend is chosen

    return docker.from_env(timeout=30)  # type: ignore[attr-defined]


def container_config(
    command: str,
    image: str,
    box: "Box",
    env: dict[str, str],
    limits: CheckLimits,
    network: bool,
    cpus: float,
) -> dict[str, Any]:
    """Keyword arguments of `containers.create` for one check (pure: tested without Docker)."""
    from docker.types import Ulimit  # type: ignore[import-not-found]

    worktree = box.worktree
    volumes = {str(worktree): {"bind": str(worktree), "mode": "rw"}}
    uid, gid = (box.user.uid, box.user.gid) if box.user else (os.getuid(), os.getgid())
    private = f"rw,nosuid,nodev,size={{}},uid={uid},gid={gid},mode=0700"
    tmpfs = {"/tmp": private.format("512m"), env["HOME"]: private.format("256m")}  # noqa: S108
    if box.git is not None:  # (the engine mounts a parent before what is inside it)
        tmpfs[str(box.git.mirror)] = "ro,nosuid,nodev,size=1m,mode=0755"
        for source, dest in box.git.binds():
            volumes[str(source)] = {"bind": str(dest), "mode": "ro"}
    for source, writable in box.activation.binds:
        volumes[str(source)] = {"bind": str(source), "mode": "rw" if writable else "ro"}
    if network:  # the image's resolver may sit where setup's network never goes: slirp4netns's
        volumes[str(box.etc / "resolv.conf")] = {"bind": "/etc/resolv.conf", "mode": "ro"}
    argv = ["/bin/sh", "-c", _AWAIT_NETWORK, command] if network else ["/bin/sh", "-c", command]
    return {
        "image": image,
        "command": argv,
        "working_dir": str(worktree),
        "user": f"{uid}:{gid}",
        "environment": env,
        "network_mode": "none",
        "read_only": True,
        "volumes": volumes,
        "tmpfs": tmpfs,
        "mem_limit": f"{limits.memory_mb}m",
        "memswap_limit": f"{limits.memory_mb}m",
        "pids_limit": limits.processes,
        "nano_cpus": int(cpus * 1e9),
        "ulimits": [
            Ulimit(name="cpu", soft=limits.cpu_seconds, hard=limits.cpu_seconds + 1),
            Ulimit(name="fsize", soft=limits.file_size_mb * MB, hard=limits.file_size_mb * MB),
            Ulimit(name="nofile", soft=limits.open_files, hard=limits.open_files),
            Ulimit(name="core", soft=0, hard=0),
        ],
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges"],
        "labels": {LABEL: "check"},
        "detach": True,
    }


async def run_in_container(
    command: str,
    *,
    image: str,
    box: "Box",
    env: dict[str, str],
    timeout_s: float,
    limits: CheckLimits,
    on_line: LineSink | None = None,
    network: bool = False,
) -> ProcessResult:
    """Run one check in a fresh container; it is removed afterwards, whatever happens. Its
    CPUs are the box's settings' (`DEVTEAM_SANDBOX_CPUS`)."""
    cpus = box.settings.sandbox_cpus
    config = container_config(command, image, box, env, limits, network, cpus)
    client = await asyncio.to_thread(_client)
    started = time.monotonic()
    container = await asyncio.to_thread(client.containers.create, **config)
    output = OutputLines(on_line, None, limits.output_bytes)
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[bytes | None] = asyncio.Queue()
    attached = contextlib.AsyncExitStack()
    try:
        await asyncio.to_thread(container.start)
        if network:
            pid = (await asyncio.to_thread(_inspect, client, container.id))["State"]["Pid"]
            await attached.enter_async_context(setup_network.attached(int(pid)))
        reader = threading.Thread(
            target=_read_logs, args=(container, loop, lines.put_nowait), daemon=True
        )
        reader.start()
        timed_out = False

        async def pump() -> None:
            while (raw := await lines.get()) is not None:
                await output.line(raw.decode("utf-8", errors="replace").rstrip("\r"))

        pumping = asyncio.create_task(pump())
        try:
            status = await asyncio.to_thread(container.wait, timeout=timeout_s)
            code = int(status.get("StatusCode", -1))
        except Exception:  # the SDK's read timeout: the wall-clock limit
            timed_out, code = True, -1
            await asyncio.to_thread(container.kill)
        await asyncio.wait_for(pumping, 10)
        await output.finish()
        state = (await asyncio.to_thread(_inspect, client, container.id)).get("State", {})
    finally:
        await asyncio.to_thread(_remove, container)
        await attached.aclose()
    oom = bool(state.get("OOMKilled"))
    hit = None
    if not timed_out and code != 0:
        hit = (
            f"memory limit ({limits.memory_mb} MB)"
            if oom
            else limit_hit(code, output.tail(), limits)
        )
    return ProcessResult(
        exit_code=code,
        timed_out=timed_out,
        duration_s=time.monotonic() - started,
        output_tail=output.tail(),
        limit=hit,
        output_cut_bytes=output.cut_bytes,
    )


def _read_logs(container: Any, loop: asyncio.AbstractEventLoop, put: Callable[..., None]) -> None:
    pending = b""
    try:
        for chunk in container.logs(stream=True, follow=True, stdout=True, stderr=True):
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for line in complete:
                loop.call_soon_threadsafe(put, line)
    except Exception:  # noqa: S110 - the container is gone: the output ends here
        pass
    if pending:
        loop.call_soon_threadsafe(put, pending)
    loop.call_soon_threadsafe(put, None)


def _inspect(client: Any, container_id: str) -> dict[str, Any]:
    result: dict[str, Any] = client.api.inspect_container(container_id)
    return result


def _remove(container: Any) -> None:
    with contextlib.suppress(Exception):  # already gone
        container.remove(force=True)
