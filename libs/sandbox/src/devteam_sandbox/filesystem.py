"""What a tenant's commands see of the file system: mounted explicitly, nothing by default.

bubblewrap starts from an empty root and gets, one by one:

* the worktree (read-write) and, when its git metadata lives elsewhere (a linked worktree of
  the project's mirror), the repository's objects and this tree's git state, read-only
  (`gitview`), so git works in the tree;
* a private HOME (read-write, the box's own) and an empty /tmp of its own;
* the toolchain (read-only): the verify toolchain's venv and the interpreter it was made from;
* the system directories programs need, read-only: /usr and the /bin, /sbin, /lib* links or
  directories; /dev (a minimal one) and /proc (of the sandbox's own PID namespace);
* from /etc only what programs read (the loader cache, TLS roots, time zone, name-service
  switch, alternatives, package-manager configuration: `ETC_FILES`, extended by the operator
  with `DEVTEAM_SANDBOX_ETC`), plus a passwd, group and hosts of the box's own: the host's
  accounts are not shown.

Nothing else exists inside: no data directory of any service, no other tenant, no home
directory of the operator, no product checkout beyond the toolchain.
"""

import fnmatch
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devteam_sandbox.settings import SandboxSettings

TOOLCHAIN_VAR = "DEVTEAM_TOOLCHAIN"
ETC_VAR = "DEVTEAM_SANDBOX_ETC"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "ssl", "ca-certificates",
    "ca-certificates.conf", "pki", "localtime", "timezone", "nsswitch.conf", "host.conf",
    "gai.conf", "protocols", "services", "mime.types", "os-release", "debian_version",
    "lsb-release", "locale.alias", "python3", "python3.*", "pip.conf", "xdg/pip", "npmrc",
    "java-*", "maven", "ssh/ssh_config",
)  # fmt: skip
HOSTS = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n"
HOSTNAME = "devteam-sandbox"


def toolchain_dir(settings: "SandboxSettings") -> str:
    """The directory of executables first on the commands' PATH: `DEVTEAM_TOOLCHAIN`
    (`devteam up` points it at the checkout's lean `.tools/toolchain/bin`), else the directory
    of the interpreter this worker runs on (in the verify image, its venv with pytest)."""
    # (resolved: the box shows it at its real path)
    return os.path.realpath(settings.toolchain or Path(sys.executable).parent)


def toolchain_roots(settings: "SandboxSettings") -> tuple[str, ...]:
    """The trees the toolchain lives in: its venv (the directory above `bin`) and the
    interpreter that venv was made from (`home` in its pyvenv.cfg), or the directory alone
    when it is not a venv."""
    tools = Path(toolchain_dir(settings))
    venv = tools.parent
    config = venv / "pyvenv.cfg"
    if not config.exists():
        return (str(tools),)
    roots = [str(venv)]
    for line in config.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "home" and value.strip():
            roots.append(str(Path(value.strip()).resolve().parent))
    return tuple(roots)


def etc_name(pattern: str) -> str:
    """`pattern` when it names something inside /etc; `ValueError` otherwise."""
    if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
        raise ValueError(f"{ETC_VAR}: {pattern!r} must be a name inside /etc")
    return pattern


def etc_entries(settings: "SandboxSettings") -> list[str]:
    """The host's /etc entries shown to commands (those that exist here): `ETC_FILES` and
    `DEVTEAM_SANDBOX_ETC`'s names."""
    present: list[str] = []
    for pattern in map(etc_name, (*ETC_FILES, *settings.etc_names)):
        parent = Path("/etc", pattern).parent
        if not parent.is_dir():
            continue
        for name in sorted(os.listdir(parent)):
            if fnmatch.fnmatchcase(name, Path(pattern).name):
                entry = str(parent / name)
                if entry not in present:
                    present.append(entry)
    return present


class Mounts:
    """bwrap arguments that build a file system from nothing, creating every parent directory
    explicitly (readable, owned by root) so an unprivileged user can walk to its mounts."""

    def __init__(self) -> None:
        self.args: list[str] = []
        self._dirs: set[str] = {"/"}

    def _parents(self, dest: str) -> None:
        missing: list[str] = []
        for parent in map(str, Path(dest).parents):
            if parent in self._dirs:
                break
            missing.append(parent)
        for folder in reversed(missing):
            self.args += ["--perms", "0755", "--dir", folder]
            self._dirs.add(folder)

    def bind(self, src: str | Path, dest: str | Path | None = None, *, write: bool = False) -> None:
        """Show `src` at `dest` (its own path by default), read-only unless `write`."""
        target = str(dest or src)
        self._parents(target)
        self.args += ["--bind" if write else "--ro-bind", str(src), target]
        self._dirs.add(target)

    def system(self, paths: Iterable[str] = SYSTEM_DIRS) -> None:
        """The system directories: symlinks (merged /usr) as symlinks, directories read-only."""
        for path in paths:
            if os.path.islink(path):
                self._parents(path)
                self.args += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                self.bind(path)

    def tmpfs(self, path: str, mode: str = "1777") -> None:
        """An empty, private file system at `path`."""
        self._parents(path)
        self.args += ["--perms", mode, "--tmpfs", path]
        self._dirs.add(path)

    def special(self) -> None:
        """A minimal /dev and the /proc of the sandbox's own PID namespace."""
        self.args += ["--dev", "/dev", "--proc", "/proc"]
        self._dirs |= {"/dev", "/proc"}
