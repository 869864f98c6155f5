"""Project environments: what a project's setup produces (a venv, installed dependencies,
`node_modules`), built once per dependency state and reused by every later task, attempt and
run with the same key.

The key hashes the tenant and project, the setup commands, the toolchain (or image) and the
contents of the dependency manifests and lockfiles at the commit being verified: a change
that touches a manifest gets an environment of its own, and the old one stays for the tasks
that still have the old files.

On disk, under this worker's own data directory (`<data>/environments/<tenant>/<project>/
<key>/`):

* `venv/`: the virtualenv setup runs in (Python projects): bound at its own path, so its
  scripts' paths stay true;
* `tools/`: package managers setup fetched (corepack's yarn and pnpm), for the checks too;
* `tree/`: what setup left in the worktree (untracked or ignored: `node_modules`, a `.venv`,
  `*.egg-info`), moved out of it once setup passed;
* `environment.json`: written last, when the environment is complete (`Record`).

Once built, an environment is sealed: owned by root and read-only, when this worker is root.
Checks see the venv read-only, and `tree/` comes back into the worktree as hard links to those
files (a copy-on-write view: a check may replace a file, never change the environment's), or
as a copy where the worker cannot switch users. Environments are never shared between tenants
or projects; a tenant's package caches (`<data>/caches/<tenant>`) persist for that tenant and
are shown to its setup commands only. The store is bounded (`max_bytes`, least recently used
first) and an environment in use is never evicted.
"""

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from devteam_sandbox.docker_backend import choose_image, image_id
from devteam_sandbox.filesystem import toolchain_dir
from devteam_sandbox.identity import SandboxUser
from devteam_sandbox.sandbox import Activation, backend
from devteam_sandbox.sealing import inside, seal, unseal_and_remove, view, write_new

if TYPE_CHECKING:
    from devteam_sandbox.settings import SandboxSettings

# `seal` and `unseal_and_remove` live in `sealing`; they stay importable from here.
__all__ = [
    "CACHES",
    "CACHE_VARIABLES",
    "COPY_NOT_LINK",
    "DEFAULT_MAX_MB",
    "MAX_BYTES_VAR",
    "RECORD",
    "ROOT",
    "Environment",
    "EnvironmentStore",
    "Record",
    "environment_key",
    "materialize",
    "max_bytes",
    "seal",
    "toolchain_identity",
    "toolchain_site",
    "unseal_and_remove",
]

RECORD = "environment.json"
ROOT = "environments"
CACHES = "caches"
MAX_BYTES_VAR = "DEVTEAM_ENVIRONMENTS_MAX_MB"
DEFAULT_MAX_MB = 20 * 1024
# Package managers' caches, all under the tenant's cache directory. Copies, not links, into
# environments: an environment is sealed read-only and must not share inodes with a cache.
CACHE_VARIABLES = {
    "XDG_CACHE_HOME": "",  # pip's, and whatever else keeps its cache under $XDG_CACHE_HOME
    "UV_CACHE_DIR": "uv",
    "npm_config_cache": "npm",
    "YARN_CACHE_FOLDER": "yarn",
    "npm_config_store_dir": "pnpm-store",
}
COPY_NOT_LINK = {"UV_LINK_MODE": "copy", "npm_config_package_import_method": "copy"}


def max_bytes(settings: "SandboxSettings") -> int:
    """The store's bound in bytes: `DEVTEAM_ENVIRONMENTS_MAX_MB` (default 20 GiB)."""
    return settings.environments_max_mb * 1024 * 1024


def environment_key(
    tenant: str,
    project: str,
    setup: Iterable[str],
    manifests: Mapping[str, bytes],
    toolchain: str,
) -> str:
    """The key of a dependency state: the hash of everything that decides what setup
    installs (the order of the setup commands matters, that of the manifests does not)."""
    digest = hashlib.sha256()
    for part in (tenant, project, toolchain, *setup):
        digest.update(part.encode() + b"\0")
    digest.update(b"\1")
    for path in sorted(manifests):
        digest.update(path.encode() + b"\0" + hashlib.sha256(manifests[path]).digest())
    return digest.hexdigest()[:32]


def toolchain_identity(settings: "SandboxSettings", image: str | None) -> str:
    """What of the toolchain the commands run with (this worker's `settings`, a project's
    `image`) goes into the key: the image's content id (Docker), else the toolchain's
    directory and the interpreter its venv was made from."""
    chosen = backend(settings)
    if chosen == "docker":
        return f"docker:{image_id(choose_image(image, settings))}"
    toolchain = toolchain_dir(settings)
    config = Path(toolchain).parent / "pyvenv.cfg"
    made_from = config.read_text() if config.is_file() else sys.version
    return f"{chosen}:{toolchain}:{hashlib.sha256(made_from.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Record:
    """A complete environment: how it was made and how big it is."""

    key: str
    setup: list[str]
    manifests: list[str]
    built_s: float
    size_bytes: int
    tree: list[str]  # what setup left in the worktree, kept under `tree/`
    venv: bool


@dataclass(frozen=True)
class Environment:
    """One environment's directory."""

    path: Path
    key: str

    @property
    def venv(self) -> Path:
        """The virtualenv (it exists once setup has made it)."""
        return self.path / "venv"

    @property
    def tree(self) -> Path:
        """What setup left in the worktree."""
        return self.path / "tree"

    @property
    def tools(self) -> Path:
        """Package managers setup fetched (corepack's yarn and pnpm): the checks run them
        too, without the network."""
        return self.path / "tools"

    def record(self) -> Record | None:
        """The record of a complete environment; None while it is being built (or a crash
        left it half made)."""
        try:
            return Record(**json.loads((self.path / RECORD).read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def activation(self, *, building: bool, caches: Path | None, venv: bool) -> Activation:
        """How the commands see this environment: writable with the tenant's caches while
        setup builds it, read-only for the checks."""
        variables: dict[str, str] = {
            "COREPACK_HOME": str(self.tools / "corepack"),
            "COREPACK_ENABLE_DOWNLOAD_PROMPT": "0",
            # the system's trust store (the box shows /etc/ssl), as pip and npm use here,
            # rather than uv's own roots: a registry behind the operator's proxy works
            "UV_NATIVE_TLS": "1",
        }
        path: tuple[str, ...] = ()
        if venv:
            variables |= {
                "VIRTUAL_ENV": str(self.venv),
                "UV_PROJECT_ENVIRONMENT": str(self.venv),
                "UV_PYTHON_DOWNLOADS": "never",
            }
            path = (str(self.venv / "bin"),)
        binds: list[tuple[Path, bool]] = [(self.path, building)]
        if building and caches is not None:
            binds.append((caches, True))
            variables |= {k: str(caches / sub) for k, sub in CACHE_VARIABLES.items()}
            variables |= COPY_NOT_LINK
        return Activation(tuple(binds), variables, path)


class EnvironmentStore:
    """This worker's environments, bounded in disk, least recently used evicted first."""

    def __init__(self, data_dir: Path, limit_bytes: int) -> None:
        self.root = data_dir / ROOT
        self.caches_root = data_dir / CACHES
        self.limit_bytes = limit_bytes
        self._in_use: dict[Path, int] = {}

    def environment(self, tenant: str, project: str, key: str) -> Environment:
        """Where the environment of `key` lives (complete or not)."""
        return Environment(self.root / tenant / project / key, key)

    @contextlib.contextmanager
    def using(self, env: Environment) -> Iterator[None]:
        """Mark `env` in use (never evicted meanwhile) and recently used."""
        self._in_use[env.path] = self._in_use.get(env.path, 0) + 1
        try:
            if env.path.is_dir():
                os.utime(env.path)
            yield
        finally:
            self._in_use[env.path] -= 1
            if not self._in_use[env.path]:
                del self._in_use[env.path]

    def begin(self, env: Environment, user: SandboxUser | None) -> None:
        """An empty directory for `env` to be built in (what an earlier, unfinished build
        left is removed). Only its `venv/` and `tools/` are the tenant's user's: the directory
        itself, its record and `tree/` (filled after setup) stay this worker's, so setup can
        plant nothing there that root would later write through or trust."""
        unseal_and_remove(env.path)
        env.path.mkdir(parents=True, mode=0o755)
        for parent in (env.path.parent, env.path.parent.parent, self.root):
            parent.chmod(0o755)  # (the tenant's user walks to it; names are not secrets)
        for writable in (env.venv, env.tools):
            writable.mkdir(mode=0o755)
            if user is not None:
                os.chown(writable, user.uid, user.gid)

    def caches(self, tenant: str, user: SandboxUser | None) -> Path:
        """The tenant's package caches (made on first use, the tenant's own)."""
        path = self.caches_root / tenant
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.caches_root.chmod(0o711)
        if user is not None:
            os.chown(path, user.uid, user.gid)
        return path

    def finish(
        self,
        env: Environment,
        worktree: Path,
        leftovers: Iterable[str],
        *,
        setup: list[str],
        manifests: list[str],
        venv: bool,
        built_s: float,
        toolchain_site: Path | None,
    ) -> Record:
        """Complete a built environment (after every process of its setup has ended): the
        venv sealed, what setup left in the worktree moved into `tree/`, the toolchain's
        pytest offered where the venv has none, and the record written last. Nothing is
        written through a link setup may have planted."""
        sealed = seal(env.venv) + seal(env.tools)
        env.tree.mkdir(mode=0o755)  # (root's: begin made none)
        kept = []
        for rel in sorted(set(leftovers)):
            source, target = worktree / rel, env.tree / rel
            if not (inside(source, worktree) and inside(target, env.tree)):
                continue
            if not os.path.lexists(source):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            kept.append(rel)
        if venv and toolchain_site is not None:  # (written read-only: sealed as they are made)
            _offer_toolchain(env.venv, toolchain_site)
        size = sealed + seal(env.tree)
        record = Record(env.key, setup, manifests, round(built_s, 2), size, kept, venv)
        write_new(env.path / RECORD, json.dumps(asdict(record)), env.path, 0o644)
        return record

    def evict(self) -> list[Path]:
        """Remove the least recently used environments not in use until the store is within
        its bound, and any half-made ones not in use; returns what was removed."""
        complete: list[tuple[float, int, Path]] = []
        removed = []
        for path in self.root.glob("*/*/*"):
            if path in self._in_use:
                continue
            record = Environment(path, path.name).record()
            if record is None:
                unseal_and_remove(path)
                removed.append(path)
            else:
                complete.append((path.stat().st_mtime, record.size_bytes, path))
        total = sum(size for _t, size, _p in complete) + sum(
            rec.size_bytes
            for path in self._in_use
            if (rec := Environment(path, path.name).record()) is not None
        )
        for _used, size, path in sorted(complete):
            if total <= self.limit_bytes:
                break
            unseal_and_remove(path)
            removed.append(path)
            total -= size
        return removed


def materialize(env: Environment, record: Record, worktree: Path, user: SandboxUser | None) -> int:
    """Put what setup left in the worktree back into it, as a copy-on-write view: directories
    of the tenant's own, files hard-linked to the sealed (root's, read-only) originals; copies
    where this worker cannot switch users (its user could change a linked original).
    Returns the number of files."""
    count = 0
    for rel in record.tree:
        source, target = env.tree / rel, worktree / rel
        if not (inside(target, worktree) and inside(source, env.tree)):
            continue
        if os.path.lexists(target):  # (the commit tracks something there now: it wins)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        count += view(source, target, user)
    return count


def _offer_toolchain(venv: Path, site: Path) -> None:
    """The toolchain's pytest as a fallback for a venv whose setup did not install one: its
    site-packages last on the venv's path, and a `pytest` script that runs the venv's own
    interpreter (so the checks see the project's packages)."""
    for site_packages in venv.glob("lib/python3*/site-packages"):
        if inside(site_packages / "x", venv):
            write_new(site_packages / "_devteam_toolchain.pth", f"{site}\n", venv, 0o444)
    script = venv / "bin" / "pytest"
    if inside(script, venv) and not os.path.lexists(script):
        launcher = f'#!/bin/sh\nexec "{venv}/bin/python" -m pytest "$@"\n'
        write_new(script, launcher, venv, 0o555)


def toolchain_site(toolchain: str) -> Path | None:
    """The site-packages of the toolchain's venv (where its pytest is), if it is one."""
    found = sorted(Path(toolchain).parent.glob("lib/python3*/site-packages"))
    return found[0] if found else None
