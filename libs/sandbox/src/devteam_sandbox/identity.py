"""Who a tenant's commands run as: never root, never the worker's own user when it can help it.

A worker that runs as root gives each tenant an unprivileged uid of its own (derived from the
tenant id, in a range no account uses: `DEVTEAM_SANDBOX_UID_BASE`, 1,000,000 uids from
600,000,000 by default). Files the services write (the secrets key, NATS credentials, the
store) belong to root and are mode 0600/0700, so that uid cannot read them even where they
were visible; one tenant's fork bomb counts against its own uid's process limit only. A worker
that is not root cannot switch users: its commands run as the worker's own user, which
`describe()` and `devteam up` say.
"""

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devteam_sandbox.settings import SandboxSettings

UID_SPAN = 1_000_000
DEFAULT_UID_BASE = 600_000_000
USER_NAME = "devteam"


@dataclass(frozen=True)
class SandboxUser:
    """The unprivileged uid/gid a tenant's commands run as (its own group, no others)."""

    uid: int
    gid: int


def can_switch_users() -> bool:
    """True when this worker may run commands as another user (it is root)."""
    return os.geteuid() == 0


def user_for(tenant: str, settings: "SandboxSettings") -> SandboxUser | None:
    """The tenant's sandbox user (from `settings.sandbox_uid_base`), or None when this worker
    cannot switch users."""
    if not can_switch_users():
        return None
    slot = int.from_bytes(hashlib.sha256(tenant.encode()).digest()[:8], "big") % UID_SPAN
    uid = settings.sandbox_uid_base + slot
    return SandboxUser(uid=uid, gid=uid)


def give_tree(root: Path, user: SandboxUser) -> int:
    """Make `root` and everything under it belong to `user` (symlinks themselves, never what
    they point at); returns how many entries changed. Called while no process of that user
    can reach the tree (its commands see only their own box), so nothing is swapped under
    the walk."""
    changed = 0
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            changed += _own(os.path.join(folder, name), user)
    return changed + _own(str(root), user)


def _own(path: str, user: SandboxUser) -> int:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return 0
    if info.st_uid == user.uid and info.st_gid == user.gid:
        return 0
    if info.st_uid == 0 and info.st_nlink > 1 and not stat.S_ISDIR(info.st_mode):
        # another name of a root file: a sealed environment's, in its view (never the tenant's)
        return 0
    os.chown(path, user.uid, user.gid, follow_symlinks=False)  # (clears set-id bits)
    return 1


def passwd_lines(user: SandboxUser | None, home: Path) -> tuple[str, str]:
    """(/etc/passwd, /etc/group) shown to the commands: root, their own user and nobody, so
    programs that look themselves up (git, ssh, pip) work; the host's accounts stay hidden."""
    uid = user.uid if user else os.getuid()
    gid = user.gid if user else os.getgid()
    passwd = (
        "root:x:0:0:root:/root:/bin/sh\n"
        f"{USER_NAME}:x:{uid}:{gid}:DevTeam sandbox:{home}:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    )
    group = f"root:x:0:\n{USER_NAME}:x:{gid}:\nnogroup:x:65534:\n"
    return passwd, group
