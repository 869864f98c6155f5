"""Resource limits of one check: memory, CPU time, processes, file size, open files (set with
`setrlimit` between fork and exec, inherited by everything the check starts), wall time (the
caller's timeout) and output kept.

Processes: `RLIMIT_NPROC` counts per user and does not bind root, so when the worker runs as
root the check also goes into a pids cgroup of its own (`/sys/fs/cgroup/pids` or cgroup v2)
when one can be made; when neither binds, the report says the limit is not enforced.
"""

import asyncio
import contextlib
import os
import re
import resource
import signal
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devteam_sandbox.settings import SandboxSettings

MB = 1024 * 1024


@dataclass(frozen=True)
class CheckLimits:
    """The limits one check runs with."""

    memory_mb: int = 2048
    cpu_seconds: int = 600
    processes: int = 256
    file_size_mb: int = 512
    open_files: int = 1024
    output_bytes: int = MB

    def rlimits(self) -> list[tuple[int, tuple[int, int]]]:
        """(resource, (soft, hard)) pairs for `setrlimit`. CPU time: SIGXCPU at the limit
        (so the reason can say so), SIGKILL a second later."""
        return [
            (resource.RLIMIT_AS, (self.memory_mb * MB, self.memory_mb * MB)),
            (resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds + 1)),
            (resource.RLIMIT_NPROC, (self.processes, self.processes)),
            (resource.RLIMIT_FSIZE, (self.file_size_mb * MB, self.file_size_mb * MB)),
            (resource.RLIMIT_NOFILE, (self.open_files, self.open_files)),
            (resource.RLIMIT_CORE, (0, 0)),
        ]

    def describe(self) -> dict[str, int]:
        """The limits as reported with the run."""
        return asdict(self)


# What operators set: the default of each limit and the most a project may ask for.
LIMIT_FIELDS = ("memory_mb", "cpu_seconds", "processes", "file_size_mb", "open_files")


def operator_limits(settings: "SandboxSettings") -> tuple[CheckLimits, CheckLimits]:
    """(defaults, maxima) from `DEVTEAM_VERIFY_<LIMIT>` and `DEVTEAM_VERIFY_MAX_<LIMIT>`
    (`settings`; a maximum defaults to the default, a default is never above its maximum)."""
    base = CheckLimits()
    defaults: dict[str, int] = {}
    maxima: dict[str, int] = {}
    for name in (*LIMIT_FIELDS, "output_bytes"):
        default = getattr(settings, f"verify_{name}")
        maximum = getattr(settings, f"verify_max_{name}")
        default = getattr(base, name) if default is None else default
        maxima[name] = default if maximum is None else maximum
        defaults[name] = min(default, maxima[name])
    return CheckLimits(**defaults), CheckLimits(**maxima)


def resolve(requested: dict[str, int | None], settings: "SandboxSettings") -> CheckLimits:
    """A project's limits: what it asks for (lower only), else the operator's default, never
    above the operator's maximum."""
    defaults, maxima = operator_limits(settings)
    values = {}
    for name in LIMIT_FIELDS:
        asked = requested.get(name)
        values[name] = min(asked if asked is not None else getattr(defaults, name),
                           getattr(maxima, name))  # fmt: skip
    return CheckLimits(**values, output_bytes=defaults.output_bytes)


class PidsCgroup:
    """A pids cgroup for one check (only made when the worker is root, where RLIMIT_NPROC does
    not bind); `join` runs in the child before exec."""

    ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def make(cls, max_pids: int) -> "PidsCgroup | None":
        """A fresh cgroup limited to `max_pids`, or None when none can be made here."""
        for root in cls.ROOTS:
            if not (root / "pids.max").exists() and not (root / "cgroup.procs").exists():
                continue
            path = root / "devteam-verify" / uuid.uuid4().hex
            try:
                path.mkdir(parents=True)
                (path / "pids.max").write_text(f"{max_pids}\n")
            except OSError:
                with contextlib.suppress(OSError):
                    path.rmdir()
                continue
            return cls(path)
        return None

    _available: bool | None = None

    @classmethod
    def available(cls) -> bool:
        """True when a pids cgroup can be made here (probed once)."""
        if cls._available is None:
            probe = cls.make(64)
            cls._available = probe is not None and probe.remove()
        return cls._available

    def join(self) -> None:
        """Move the calling process (the child, before exec) into the cgroup."""
        (self.path / "cgroup.procs").write_text(f"{os.getpid()}\n")

    def hit(self) -> bool:
        """True when a fork was refused by the limit."""
        try:
            events = (self.path / "pids.events").read_text()
        except OSError:
            return False
        match = re.search(r"^max (\d+)", events, re.MULTILINE)
        return bool(match and int(match.group(1)) > 0)

    def remove(self) -> bool:
        """Kill whatever the check left in the cgroup and delete it; False while it is not
        empty yet (killed processes take a moment to go)."""
        try:
            pids = (self.path / "cgroup.procs").read_text().split()
        except OSError:
            pids = []
        for pid in pids:
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(pid), signal.SIGKILL)
        try:
            self.path.rmdir()
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return True


@contextlib.asynccontextmanager
async def process_limit(limits: CheckLimits) -> AsyncIterator[tuple[PidsCgroup | None, bool]]:
    """(cgroup or None, whether the process limit binds) for one check; afterwards nothing
    the check started survives in its cgroup."""
    if os.geteuid() != 0:
        yield None, True  # RLIMIT_NPROC binds a non-root user
        return
    cgroup = PidsCgroup.make(limits.processes)
    try:
        yield cgroup, cgroup is not None
    finally:
        for _ in range(100):
            if cgroup is None or cgroup.remove():
                break
            await asyncio.sleep(0.02)


_MEMORY = re.compile(r"MemoryError|Cannot allocate memory|out of memory|bad_alloc", re.I)
_FORK = re.compile(
    r"Cannot fork|can't fork|fork: retry|Resource temporarily unavailable|BlockingIOError",
    re.I,
)
_FILES = re.compile(r"Too many open files", re.I)
_FSIZE = re.compile(r"File too large", re.I)


def limit_hit(
    exit_code: int, output: str, limits: CheckLimits, pids_hit: bool = False
) -> str | None:
    """Which limit a failed check ran into, as a reason, or None for an ordinary failure."""
    sig = -exit_code if exit_code < 0 else exit_code - 128 if exit_code > 128 else 0
    if sig == signal.SIGXCPU:
        return f"CPU time limit ({limits.cpu_seconds} s)"
    if sig == signal.SIGXFSZ or _FSIZE.search(output):
        return f"file size limit ({limits.file_size_mb} MB)"
    if pids_hit or _FORK.search(output):
        return f"process limit ({limits.processes})"
    if _FILES.search(output):
        return f"open files limit ({limits.open_files})"
    if _MEMORY.search(output):
        return f"memory limit ({limits.memory_mb} MB)"
    return None
