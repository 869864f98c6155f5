"""Landing as a pull request in end-to-end tests: the loopback forge (tests/fakeforge, which
checks every request against the forge's published API description) and the calls the tests
share. The stacks that use it allow `http` for the forge's API and retry it fast
(`FORGE_ENV`)."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devteam_cli.demo_project import demo_scenario
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import project_body
from fakeforge import FakeForge, Kind, PullRecord
from fakeforge.fixtures import FORGE_TOKEN

FORGE_ENV = {
    "DEVTEAM_GIT_ALLOWED_SCHEMES": "http,https,ssh,file",  # http: the loopback forge
    "DEVTEAM_FORGE_ATTEMPTS": "3",
    "DEVTEAM_FORGE_MAX_WAIT_S": "0.2",
}


@pytest.fixture(scope="module")
def forge() -> Iterator[FakeForge]:
    """The loopback forge of a test module; every exchange must match the description."""
    fake = FakeForge(token=FORGE_TOKEN)
    with fake.serving():
        yield fake
    assert fake.invalid == [], "requests or answers that do not match the API description"


async def register(
    api: httpx.AsyncClient,
    forge: FakeForge,
    model: ScriptedModelServer,
    repo: Path,
    kind: Kind,
    name: str,
    token: str = FORGE_TOKEN,
) -> str:
    """Register the demo repository, landing as pull requests on `kind` as `name`."""
    forge.add_repository(name, repo)
    secret = f"forge-{name.replace('/', '-')}"
    assert (await api.put(f"/v1/secrets/{secret}", json={"value": token})).is_success
    land = {"mode": "pull_request", "forge": kind, "api_base": forge.api_base(kind),
            "repository": name, "token_secret": secret}  # fmt: skip
    model.set_scenario(demo_scenario())
    created = await api.post("/v1/projects", json=project_body(repo, model, land=land))
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def git(repo: Path, *args: str) -> str:
    """A git command in the bare repository: its output."""
    return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip


def commits_over_main(repo: Path, branch: str) -> list[str]:
    """The subjects of `branch`'s commits that `main` has not, newest first."""
    return git(repo, "log", "--format=%s", f"main..{branch}").splitlines()


def only_pull(forge: FakeForge, kind: Kind, name: str) -> PullRecord:
    """The one pull request of repository `name` (fails when there are more, or none)."""
    [pull] = forge.pulls(kind, name)
    return pull


def creates(forge: FakeForge, kind: Kind) -> int:
    """Requests to open a pull request (merge request) the forge answered with one."""
    return sum(
        r.kind == kind and r.method == "POST" and r.status == 201 and not r.injected
        for r in forge.requests
    )
