"""An environment's files on disk: sealed read-only (and root's, so the tenant's user cannot
make them writable again), removed whatever their modes, shown to a worktree as a
copy-on-write view, and written by root only where no link a tenant's setup left leads out."""

import contextlib
import os
import shutil
import stat
from pathlib import Path

from devteam_sandbox.identity import SandboxUser


def view(source: Path, target: Path, user: SandboxUser | None) -> int:
    """`source` (a file, or a directory: its symlinks recreated, never followed) shown at
    `target`: directories the tenant's own, files hard-linked to the originals, or copied
    where there is no user to switch to (`user` None). Returns the number of files."""

    def place(src: str, dst: str) -> None:
        if user is None:
            shutil.copy2(src, dst, follow_symlinks=False)
        else:
            os.link(src, dst, follow_symlinks=False)

    info = os.lstat(source)
    if not stat.S_ISDIR(info.st_mode):
        place(str(source), str(target))
        return 1
    count = 0
    for folder, dirs, files in os.walk(source):
        dest = target / os.path.relpath(folder, source)
        dest.mkdir(mode=0o755, exist_ok=True)
        if user is not None:
            os.chown(dest, user.uid, user.gid)
        for name in files:
            place(os.path.join(folder, name), str(dest / name))
            count += 1
        for name in dirs:  # symlinks to directories are not walked into: recreated as links
            if os.path.islink(os.path.join(folder, name)):
                os.symlink(os.readlink(os.path.join(folder, name)), dest / name)
                count += 1
    return count


def seal(root: Path) -> int:
    """Make an environment read-only (and root's, when this worker is root, so the tenant's
    user cannot make it writable again); returns its size in bytes."""
    size = 0
    am_root = os.geteuid() == 0
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            path = os.path.join(folder, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                if am_root:
                    os.lchown(path, 0, 0)
                continue
            size += info.st_size
            if am_root:
                os.chown(path, 0, 0)  # (clears set-id bits)
            os.chmod(path, _sealed_mode(info.st_mode))
    if am_root:
        os.chown(root, 0, 0)
    os.chmod(root, 0o755)  # noqa: S103 - walked to by the tenant's user, read-only
    return size


def _sealed_mode(mode: int) -> int:
    """Read-only for everyone, with what the owner (the tenant's user, who made it) could
    read and execute granted to all: the owner becomes root."""
    owner = stat.S_IMODE(mode) & 0o500
    return (stat.S_IMODE(mode) | owner >> 3 | owner >> 6 | 0o444) & 0o555


def unseal_and_remove(path: Path) -> None:
    """Remove `path` (a sealed environment or a view of one) whatever its modes."""
    if not os.path.lexists(path):
        return
    if path.is_symlink() or not path.is_dir():
        path.unlink()
        return
    for folder, dirs, _files in os.walk(path):
        for name in dirs:
            with contextlib.suppress(OSError):
                sub = os.path.join(folder, name)
                if not os.path.islink(sub):
                    os.chmod(sub, 0o700)
    os.chmod(path, 0o700)
    shutil.rmtree(path, ignore_errors=True)


def inside(path: Path, root: Path) -> bool:
    """`path` is under `root` without following a symlink out of it."""
    try:
        return os.path.realpath(path.parent).startswith(os.path.realpath(root) + os.sep) or (
            os.path.realpath(path.parent) == os.path.realpath(root)
        )
    except OSError:
        return False


def write_new(path: Path, text: str, within: Path, mode: int) -> None:
    """Create `path` (which must not exist, nor be a link) with `text`, refusing when its
    directory resolves outside `within`: where a tenant's setup wrote, root follows no
    link it may have left."""
    if not inside(path, within):
        raise OSError(f"{path} is not inside {within}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "w") as out:
        out.write(text)
