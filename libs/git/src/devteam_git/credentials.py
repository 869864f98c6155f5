"""Credentials for one git command, handed over without ever appearing in argv, URLs or logs.

https: git asks `GIT_ASKPASS` for the user name and password. Our helper script contains no
secret; it prints values from environment variables of the git process, which only the same
user (and root) can read, unlike argv, which every local user sees in `ps`. `GIT_ASKPASS` wins
over the `core.askPass=` that `run.SAFE_CONFIG` blanks (git asks the environment first), while
the blanked `credential.helper=` keeps git from storing what it was told.

ssh: the private key goes into a 0600 file in a private 0700 directory, used through
`GIT_SSH_COMMAND` (which also overrides any `core.sshCommand` of a customer's repository) with
user configuration, agents and prompts switched off.

Host keys (ssh) are checked, never silently accepted:
* `Credentials.ssh_known_hosts` (known_hosts lines) pins them: `StrictHostKeyChecking=yes`;
* else a caller-owned, persistent `known_hosts` file gives trust on first use
  (`StrictHostKeyChecking=accept-new`): the first key is recorded, a changed key is refused;
* else nothing is trusted and ssh fails with "Host key verification failed".
"""

import contextlib
import os
import shlex
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from devteam_git.errors import InvalidInputError
from devteam_sandbox.redact import redact

USERNAME_VAR = "DEVTEAM_GIT_USERNAME"
PASSWORD_VAR = "DEVTEAM_GIT_PASSWORD"  # noqa: S105 - the name of a variable, not a value

# Reads the values from the environment at run time: the file itself holds no secret.
_ASKPASS_SCRIPT = f"""#!/bin/sh
case "$1" in
  Username*) printf '%s\\n' "${USERNAME_VAR}" ;;
  *) printf '%s\\n' "${PASSWORD_VAR}" ;;
esac
"""


@dataclass(frozen=True)
class Credentials:
    """What git needs to reach one repository; secrets are left out of `repr`."""

    username: str | None = None  # https user (e.g. "x-access-token"); "git" when only a token
    token: str | None = field(default=None, repr=False)  # https password / token
    ssh_key: str | None = field(default=None, repr=False)  # private key text (OpenSSH PEM)
    ssh_known_hosts: str | None = None  # known_hosts lines pinning the server's host keys

    def secrets(self) -> list[str]:
        """Values to redact from any output: the token, the key and each line of the key."""
        values = [v for v in (self.token, self.ssh_key) if v]
        if self.ssh_key:
            values += [line.strip() for line in self.ssh_key.splitlines() if len(line) >= 16]
        return values


@contextlib.contextmanager
def credential_env(
    creds: Credentials | None, scratch: Path, *, known_hosts: Path | None = None
) -> Iterator[dict[str, str]]:
    """Extra environment for one git command; files made in `scratch` are removed afterwards.

    For https: GIT_ASKPASS and the values it reads from the environment; for ssh:
    GIT_SSH_COMMAND with the key in a 0600 file. Pass the result as `env=` to
    `devteam_git.run.git`; the dict holds the token itself, so it must never be logged.
    `known_hosts` is a persistent file for trust-on-first-use of ssh host keys (see the
    module docstring). With `creds` None the dict is empty and any authentication request
    fails at once (no prompt).
    """
    if creds is None or not (creds.token or creds.ssh_key):
        yield {}
        return
    scratch.mkdir(parents=True, exist_ok=True)
    private = Path(tempfile.mkdtemp(prefix="git-cred-", dir=scratch))  # created 0700
    try:
        env: dict[str, str] = {}
        if creds.token:
            env.update(_askpass_env(creds, private))
        if creds.ssh_key:
            env.update(_ssh_env(creds, private, known_hosts))
        yield env
    finally:
        shutil.rmtree(private, ignore_errors=True)


def redact_git(text: str, creds: Credentials | None) -> str:
    """`text` (git output, an error message) with credential values and URL userinfo masked."""
    return redact(text, creds.secrets() if creds else ())


def _askpass_env(creds: Credentials, private: Path) -> dict[str, str]:
    username = creds.username or "git"
    token = creds.token or ""
    # askpass answers with one line: a newline would truncate the value or inject another.
    if any(c in value for value in (username, token) for c in "\r\n\x00"):
        raise InvalidInputError("git user name and token must be single-line values")
    script = private / "askpass.sh"
    _write_private(script, _ASKPASS_SCRIPT, stat.S_IRWXU)
    return {
        "GIT_ASKPASS": str(script),
        USERNAME_VAR: username,
        PASSWORD_VAR: token,
    }


def _ssh_env(creds: Credentials, private: Path, known_hosts: Path | None) -> dict[str, str]:
    key = (creds.ssh_key or "").replace("\r\n", "\n")
    key_file = private / "id_key"
    # OpenSSH rejects a key without its final newline ("invalid format").
    _write_private(key_file, key if key.endswith("\n") else key + "\n", 0o600)
    if creds.ssh_known_hosts:
        hosts_file, checking = private / "known_hosts", "yes"
        _write_private(hosts_file, creds.ssh_known_hosts.rstrip("\n") + "\n", 0o600)
    elif known_hosts is not None:
        hosts_file, checking = known_hosts, "accept-new"
    else:
        hosts_file, checking = Path("/dev/null"), "yes"
    options = [
        "IdentitiesOnly=yes",
        "IdentityAgent=none",
        "BatchMode=yes",
        "PasswordAuthentication=no",
        "KbdInteractiveAuthentication=no",
        f"StrictHostKeyChecking={checking}",
        f"UserKnownHostsFile={hosts_file}",
        "GlobalKnownHostsFile=/dev/null",
        "UpdateHostKeys=no",
        "ConnectTimeout=20",
    ]
    argv = ["ssh", "-F", "/dev/null", "-i", str(key_file)]
    for option in options:
        argv += ["-o", option]
    return {"GIT_SSH_COMMAND": shlex.join(argv), "GIT_SSH_VARIANT": "ssh"}


def _write_private(path: Path, text: str, mode: int) -> None:
    # O_EXCL + the mode at creation: the content is never readable by anyone else, not even
    # between creating the file and a later chmod.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    os.fchmod(fd, mode)  # exactly `mode`, whatever the umask
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
