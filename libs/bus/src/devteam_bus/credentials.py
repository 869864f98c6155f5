"""NATS credentials on disk: one nkey seed file per identity, made once, private (0600 in a
0700 directory), and the nats-server configuration that admits them (public keys only).

A credentials file names its identity and holds its seed:

    # DevTeam Runner: NATS credentials of identity `verify` (an nkey seed). Secret.
    identity: verify
    SUA…

`nats --nkey FILE` reads it too (the seed is the line starting with `SU`). Services get the
file's path in `DEVTEAM_NATS_CREDENTIALS`, never the seed itself.
"""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import nkeys  # type: ignore[import-untyped]

from devteam_bus.errors import BusError
from devteam_bus.nats_auth import Identity

SEED_BYTES = 32
ROUTE_SECRET_FILE = "nats-route.secret"  # noqa: S105 (a file name)


class CredentialsError(BusError):
    """A credentials file that is missing, unreadable or malformed."""


@dataclass(frozen=True)
class Credentials:
    """An identity and its nkey seed (`nkeys_seed_str` for nats-py)."""

    identity: Identity
    seed: str

    def __repr__(self) -> str:  # never print a seed by accident
        return f"Credentials(identity={self.identity.value!r})"

    @property
    def public_key(self) -> str:
        """The `U…` public key the server's configuration admits."""
        return public_key(self.seed)


def public_key(seed: str) -> str:
    """The public key of an nkey user seed."""
    pair = nkeys.from_seed(bytearray(seed.encode()))
    try:
        return bytes(pair.public_key).decode()
    finally:
        pair.wipe()


def new_seed() -> str:
    """A fresh nkey user seed (`SU…`)."""
    return bytes(nkeys.encode_seed(os.urandom(SEED_BYTES), nkeys.PREFIX_BYTE_USER)).decode()


def render(identity: Identity, seed: str) -> str:
    """The text of a credentials file."""
    return (
        f"# DevTeam Runner: NATS credentials of identity `{identity.value}` (an nkey seed).\n"
        "# Secret: only its service may read it (0600). `nats --nkey FILE` reads it too.\n"
        f"identity: {identity.value}\n"
        f"{seed}\n"
    )


def parse(text: str, where: str = "credentials") -> Credentials:
    """A credentials file's identity and seed; `CredentialsError` when it holds no valid pair."""
    identity: str | None = None
    seed: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("identity:"):
            identity = line.split(":", 1)[1].strip()
        elif line.startswith("SU"):
            seed = line
    if not identity or not seed:
        raise CredentialsError(f"{where}: expected an `identity:` line and an nkey seed (SU…)")
    try:
        who = Identity(identity)
    except ValueError:
        raise CredentialsError(f"{where}: unknown identity {identity!r}") from None
    try:
        public_key(seed)
    except Exception:  # nkeys raises its own errors and binascii ones for bad base32
        raise CredentialsError(f"{where}: the seed is not a valid nkey user seed") from None
    return Credentials(who, seed)


def load(path: Path) -> Credentials:
    """Read and check a credentials file (`DEVTEAM_NATS_CREDENTIALS`)."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise CredentialsError(f"cannot read NATS credentials {path}: {exc.strerror}") from None
    return parse(text, str(path))


def private_dir(path: Path) -> Path:
    """`path` as a directory only its owner can enter (0700), made if missing."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_private(path: Path, text: str, owner: tuple[int, int] | None = None) -> None:
    """Create `path` with mode 0600 (never readable by anyone else, not even for a moment)
    and `owner` (uid, gid) when given; fails if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if owner is not None:
            os.fchown(fd, *owner)
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def credentials_path(directory: Path, identity: Identity) -> Path:
    """Where an identity's credentials live in a credentials directory."""
    return directory / f"{identity.value}.nk"


def ensure_credentials(
    directory: Path, owner: tuple[int, int] | None = None
) -> dict[Identity, Credentials]:
    """Every identity's credentials in `directory` (0700, its owner the caller's): read the
    ones there, make the missing ones (0600; owned by `owner` when given, e.g. the
    containers' user)."""
    private_dir(directory)
    found: dict[Identity, Credentials] = {}
    for identity in Identity:
        path = credentials_path(directory, identity)
        if not path.exists():
            write_private(path, render(identity, new_seed()), owner)
        found[identity] = load(path)
        if found[identity].identity is not identity:
            raise CredentialsError(f"{path} holds the credentials of {found[identity].identity}")
    return found


def route_secret(directory: Path, owner: tuple[int, int] | None = None) -> str:
    """The password nats-servers of one cluster present to each other (routes are not
    clients: without it anyone on the host could join as a server); made once."""
    path = directory / ROUTE_SECRET_FILE
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32) + "\n", owner)
    return path.read_text().strip()


def public_keys(creds: dict[Identity, Credentials]) -> dict[Identity, str]:
    """The public key of each identity (what the server's configuration holds)."""
    return {identity: c.public_key for identity, c in creds.items()}
