"""Credentials against a real smart-HTTP server (`git http-backend` behind basic auth): fetch
and push work with the right token, fail fast with a wrong one, and the token never shows up in
argv, repository config, error messages or files left behind."""

import os
import secrets
import shlex
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devteam_git.credentials import Credentials, credential_env, redact_git
from devteam_git.errors import GitError
from devteam_git.run import SAFE_CONFIG, git
from devteam_git.urls import normalize_repo_url

from githttp import GitHttpServer, serve_git

USER = "x-access-token"
TOKEN = "tok-" + secrets.token_hex(16)
WITH_HTTP = frozenset({"http", "https"})


def plain_git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[GitHttpServer]:
    root = tmp_path / "served"
    bare = root / "calc.git"
    bare.mkdir(parents=True)
    plain_git(bare, "init", "--quiet", "--bare", "--initial-branch=main")
    plain_git(bare, "config", "http.receivepack", "true")
    src = tmp_path / "src"
    src.mkdir()
    plain_git(src, "init", "--quiet", "--initial-branch=main")
    (src / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    plain_git(src, "add", "calc.py")
    plain_git(src, "commit", "--quiet", "-m", "first")
    plain_git(src, "push", "--quiet", str(bare), "main")
    with serve_git(root, USER, TOKEN) as running:
        yield running


async def local_mirror(tmp_path: Path, url: str) -> Path:
    local = tmp_path / "local.git"
    await git(["init", "--quiet", "--bare", "--", str(local)])
    await git(["remote", "add", "origin", "--", url], local)
    return local


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


async def test_fetch_and_push_with_the_right_token(server: GitHttpServer, tmp_path: Path) -> None:
    url = normalize_repo_url(server.url_for("calc.git"), WITH_HTTP)
    local = await local_mirror(tmp_path, url)
    creds = Credentials(username=USER, token=TOKEN)
    scratch, trace = tmp_path / "scratch", tmp_path / "git-trace.log"
    fetch = ["fetch", "--quiet", "origin", "+refs/heads/main:refs/heads/main"]
    with credential_env(creds, scratch) as env:
        askpass = Path(env["GIT_ASKPASS"])
        assert TOKEN not in askpass.read_text()
        assert stat.S_IMODE(askpass.stat().st_mode) == 0o700
        # GIT_TRACE logs the argv of git and of every program it starts (remote-http, askpass).
        traced = {**env, "GIT_TRACE": str(trace)}
        await git(fetch, local, env=traced)
        main = (await git(["rev-parse", "main"], local)).stdout.strip()
        assert main == plain_git(server.root / "calc.git", "rev-parse", "main")
        tree = f"{main}^{{tree}}"
        new = (await git(["commit-tree", tree, "-p", main, "-m", "second"], local)).stdout.strip()
        push = ["push", "--quiet", "origin", f"{new}:refs/heads/main"]
        await git(push, local, env=traced)

    assert plain_git(server.root / "calc.git", "rev-parse", "main") == new
    # Not in what we pass as argv (our SAFE_CONFIG prefix included) ...
    for args in (fetch, push):
        assert TOKEN not in " ".join(["git", *(f"-c {c}" for c in SAFE_CONFIG), *args])
    # ... nor in any argv git itself built, which shows GIT_ASKPASS won over `core.askPass=`.
    log = trace.read_text()
    assert TOKEN not in log
    assert "core.askPass=" in SAFE_CONFIG
    assert log.count(f"run_command: {askpass} 'Password for ") == 2  # fetch and push
    # Nor in the repository's config, nor in a file left in scratch (there is none left).
    assert TOKEN not in (local / "config").read_text()
    assert url in (local / "config").read_text()
    assert files_under(scratch) == []
    # The server saw an anonymous probe (401), then the user name, never a URL with userinfo.
    seen = server.seen()
    assert seen[0].auth_sent is False and seen[0].status == 401
    authorized = [r for r in seen if r.authorized]
    assert {r.user for r in authorized} == {USER}
    assert any(r.path.endswith("/git-upload-pack") for r in authorized)
    assert any(r.path.endswith("/git-receive-pack") for r in authorized)


async def test_git_askpass_wins_over_a_core_askpass_setting(
    server: GitHttpServer, tmp_path: Path
) -> None:
    local = await local_mirror(tmp_path, server.url_for("calc.git"))
    decoy, called = tmp_path / "decoy.sh", tmp_path / "decoy-called"
    decoy.write_text(f"#!/bin/sh\ntouch {called}\necho wrong\n")
    decoy.chmod(0o700)
    creds = Credentials(username=USER, token=TOKEN)
    # A later `-c` overrides SAFE_CONFIG's blank `core.askPass=`; the environment still wins.
    fetch = ["-c", f"core.askPass={decoy}", "fetch", "--quiet", "origin", "main"]
    with credential_env(creds, tmp_path / "scratch") as env:
        await git(fetch, local, env=env)
    assert not called.exists()
    # Control: without GIT_ASKPASS the decoy is asked, so the setting itself is in effect.
    assert (await git(fetch, local, check=False)).code != 0
    assert called.exists()


async def test_a_wrong_token_fails_fast_with_a_clear_message(
    server: GitHttpServer, tmp_path: Path
) -> None:
    local = await local_mirror(tmp_path, server.url_for("calc.git"))
    creds = Credentials(username=USER, token="wrong-" + secrets.token_hex(8))
    scratch = tmp_path / "scratch"
    before = len(server.seen())
    with credential_env(creds, scratch) as env, pytest.raises(GitError) as caught:
        await git(["fetch", "--quiet", "origin", "main"], local, env=env)
    # Fails instead of prompting or retrying: one anonymous try, one with the wrong token.
    assert [r.status for r in server.seen()[before:]] == [401, 401]
    message = redact_git(str(caught.value), creds)
    assert "Authentication failed" in message
    assert creds.token is not None and creds.token not in message
    assert TOKEN not in message
    assert files_under(scratch) == []
    assert [r.status for r in server.seen()] == [401, 401]  # one try with the token, no loop


async def test_without_credentials_there_is_no_prompt(
    server: GitHttpServer, tmp_path: Path
) -> None:
    local = await local_mirror(tmp_path, server.url_for("calc.git"))
    with credential_env(None, tmp_path / "scratch") as env, pytest.raises(GitError) as caught:
        await git(["fetch", "--quiet", "origin", "main"], local, env=env)
    assert env == {}
    assert "terminal prompts disabled" in str(caught.value)


def test_ssh_key_goes_into_a_private_file_that_is_removed(tmp_path: Path) -> None:
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n" + (
        "-----END OPENSSH PRIVATE KEY-----"
    )
    creds = Credentials(ssh_key=key)
    scratch = tmp_path / "scratch"
    with credential_env(creds, scratch) as env:
        command = env["GIT_SSH_COMMAND"]
        argv = shlex.split(command)
        key_file = Path(argv[argv.index("-i") + 1])
        assert key_file.read_text() == key + "\n"  # OpenSSH needs the final newline
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
        assert key_file.is_relative_to(scratch)
        assert "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU" not in command
        assert argv[:3] == ["ssh", "-F", "/dev/null"]
        for option in ("IdentitiesOnly=yes", "BatchMode=yes", "StrictHostKeyChecking=yes"):
            assert option in argv
        assert "GIT_ASKPASS" not in env  # no token, no askpass
    assert not key_file.exists()
    assert files_under(scratch) == []
    assert list(scratch.iterdir()) == []


def test_ssh_host_keys_are_pinned_or_trusted_on_first_use(tmp_path: Path) -> None:
    def option(argv: list[str], name: str) -> str:
        return next(a.split("=", 1)[1] for a in argv if a.startswith(f"{name}="))

    pinned = Credentials(ssh_key="k", ssh_known_hosts="host ssh-ed25519 AAAA")
    with credential_env(pinned, tmp_path / "a") as env:
        argv = shlex.split(env["GIT_SSH_COMMAND"])
        assert option(argv, "StrictHostKeyChecking") == "yes"
        hosts = Path(option(argv, "UserKnownHostsFile"))
        assert hosts.read_text() == "host ssh-ed25519 AAAA\n"
    assert not hosts.exists()
    assert os.listdir(tmp_path / "a") == []
    tofu = tmp_path / "known_hosts"
    with credential_env(Credentials(ssh_key="k"), tmp_path / "b", known_hosts=tofu) as env:
        argv = shlex.split(env["GIT_SSH_COMMAND"])
        assert option(argv, "StrictHostKeyChecking") == "accept-new"
        assert option(argv, "UserKnownHostsFile") == str(tofu)
