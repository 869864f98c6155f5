"""The product's forge client (`devteam_forge`) against the loopback forge, which checks every
request against GitHub's, GitLab's and Gitea's published API descriptions: one pull request
per branch, whatever is retried or raced; failures retried, then `forge_error`; a refused
token at once `forge_auth_error`; the token in one header and nowhere else."""

import asyncio
from pathlib import Path

import httpx
import pytest

from devteam_contracts.landing import LandConfig
from devteam_contracts.runs import FailureCode
from devteam_forge import ForgeAuthError, ForgeClient, ForgeError, ForgeSettings, forge_client
from devteam_forge.client import retry_after, wait_s

from fakeforge import FakeForge, Kind
from fakeforge.fixtures import FORGE_TOKEN, bare_repository, fake_forge  # noqa: F401

REPO = "acme/app"
KINDS: list[Kind] = ["github", "gitlab", "gitea"]
FAST = ForgeSettings(forge_attempts=3, forge_max_wait_s=0.05, forge_timeout_s=5)
SCHEMES = frozenset({"http", "https"})


def client(
    forge: FakeForge, kind: Kind, token: str = FORGE_TOKEN, settings: ForgeSettings = FAST
) -> ForgeClient:
    land = LandConfig(mode="pull_request", forge=kind, api_base=forge.api_base(kind),
                      repository=REPO, token_secret="t")  # fmt: skip
    return forge_client(land, token, settings, SCHEMES)


@pytest.fixture
def forge(fake_forge: FakeForge, tmp_path: Path) -> FakeForge:  # noqa: F811
    fake_forge.add_repository(REPO, bare_repository(tmp_path, ("devteam/run-1", "devteam/run-2")))
    return fake_forge


@pytest.mark.parametrize("kind", KINDS)
async def test_one_pull_request_per_branch_found_again_and_described(
    forge: FakeForge, kind: Kind
) -> None:
    async with client(forge, kind) as api:
        pull, new = await api.ensure("devteam/run-1", "main", "DevTeam Runner: tasks", "first")
        again, new_again = await api.ensure("devteam/run-1", "main", "ignored", "ignored")
        assert (new, new_again) == (True, False) and again.number == pull.number
        assert (pull.head, pull.base, pull.state, pull.same_repository) == (
            "devteam/run-1", "main", "open", True)  # fmt: skip
        assert pull.url.startswith(forge.web_base(kind)) and pull.url.endswith(str(pull.number))
        updated = await api.update_body(pull.number, "second")
        assert updated.body == "second" and (await api.get(pull.number)).body == "second"
        assert [p.head for p in await api.open_pulls("main")] == ["devteam/run-1"]
        assert await api.find_open("devteam/run-2", "main") is None

        forge.set_state(kind, REPO, pull.number, "merged")
        assert (await api.get(pull.number)).state == "merged"
        assert await api.find_open("devteam/run-1", "main") is None
    [record] = forge.pulls(kind, REPO)
    assert (record.title, record.bodies) == ("DevTeam Runner: tasks", ["first", "second"])
    for request in forge.requests:  # the token travels in a header only
        assert FORGE_TOKEN not in f"{request.path} {request.query} {request.body}"
        assert request.authorized


@pytest.mark.parametrize("kind", KINDS)
async def test_two_callers_racing_for_the_same_branch_get_the_same_pull_request(
    forge: FakeForge, kind: Kind
) -> None:
    """Both look it up (none yet), both ask to open one: the forge refuses the second, which
    looks it up again (a redelivered command racing its first delivery)."""
    async with client(forge, kind) as one, client(forge, kind) as two:
        (a, _), (b, _) = await asyncio.gather(
            one.ensure("devteam/run-2", "main", "t", "b"),
            two.ensure("devteam/run-2", "main", "t", "b"),
        )
    assert a.number == b.number and len(forge.pulls(kind, REPO)) == 1


@pytest.mark.parametrize("kind", KINDS)
async def test_a_failing_forge_is_retried_then_a_forge_error(forge: FakeForge, kind: Kind) -> None:
    async with client(forge, kind) as api:
        forge.fail_next(kind, 502, count=2)  # two failures: the third try is served
        pull, _ = await api.ensure("devteam/run-1", "main", "t", "b")
        assert pull.number >= 1

        forge.fail_next(kind, 503, count=3)  # every try fails
        with pytest.raises(ForgeError) as failed:
            await api.get(pull.number)
    error = failed.value
    assert (error.code, error.status, error.transient) == (FailureCode.FORGE_ERROR, 503, False)
    assert "503" in error.reason and "(tried 3 times)" in error.reason
    assert sum(r.injected for r in forge.requests) == 5


async def test_no_try_starts_after_the_deadline(forge: FakeForge) -> None:
    """A forge that keeps failing holds the caller (a selector's slot) until the deadline, not
    for every try the attempts allow."""
    settings = ForgeSettings(forge_attempts=20, forge_max_wait_s=0.2, forge_deadline_s=2)
    forge.fail_next("github", 500, count=20)
    async with client(forge, "github", settings=settings) as api:
        with pytest.raises(ForgeError) as failed:
            await api.find_open("devteam/run-1", "main")
    tries = sum(r.injected for r in forge.requests)
    assert 2 <= tries < 20 and f"(tried {tries} times)" in failed.value.reason


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [401, 403])
async def test_a_refused_token_is_a_forge_auth_error_at_once(
    forge: FakeForge, kind: Kind, status: int
) -> None:
    forge.fail_next(kind, status, json_body={"message": "Bad credentials"})
    async with client(forge, kind) as api:
        with pytest.raises(ForgeAuthError) as refused:
            await api.find_open("devteam/run-1", "main")
    assert refused.value.code == FailureCode.FORGE_AUTH_ERROR and refused.value.status == status
    assert len(forge.requests) == 1  # not retried


async def test_a_wrong_token_is_refused_by_the_forge_and_never_shown(forge: FakeForge) -> None:
    wrong = "ghp_WrongToken0123456789abcdefXYZ"
    for kind in KINDS:
        async with client(forge, kind, token=wrong) as api:
            with pytest.raises(ForgeAuthError) as refused:
                await api.ensure("devteam/run-1", "main", "t", "b")
        assert refused.value.status == 401 and wrong not in str(refused.value)
    assert all(not r.authorized for r in forge.requests)


async def test_a_github_rate_limit_is_waited_out(forge: FakeForge) -> None:
    body = {"message": "API rate limit exceeded", "documentation_url": "https://docs.github.com"}
    forge.fail_next("github", 429, json_body=body)
    async with client(forge, "github") as api:
        assert await api.find_open("devteam/run-1", "main") is None
    assert [r.status for r in forge.requests] == [429, 200]


async def test_a_rate_limit_is_waited_out_as_long_as_it_asks(forge: FakeForge) -> None:
    """GitHub's secondary rate limit: 403 with `Retry-After: 1`, retried (not a refused token)
    after the second it asked for, within the longest back-off; then served."""
    body = {"message": "You have exceeded a secondary rate limit.",
            "documentation_url": "https://docs.github.com/rest"}  # fmt: skip
    forge.fail_next("github", 403, json_body=body, headers={"Retry-After": "1"})
    async with client(forge, "github") as api:
        assert await api.find_open("devteam/run-1", "main") is None
    assert [r.status for r in forge.requests] == [403, 200]
    settings = ForgeSettings(forge_max_wait_s=10)
    assert [wait_s(settings, n, None) for n in (1, 2, 3, 7)] == [0.25, 0.5, 1.0, 10]
    assert wait_s(settings, 1, 1.0) == 1.0  # what `Retry-After: 1` asks, not 0.25
    assert wait_s(settings, 3, 0.1) == 1.0  # never less than the back-off
    assert wait_s(settings, 1, 3600) == 10  # a reset an hour away: the longest wait


def test_how_long_a_forge_asks_to_wait() -> None:
    def answer(**headers: str) -> httpx.Response:
        return httpx.Response(429, headers=headers)

    assert retry_after(answer(**{"retry-after": "7"})) == 7
    spent = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000"}
    assert retry_after(answer(**spent), now=990) == 10
    assert retry_after(answer(**spent), now=2000) == 0  # (reset already passed)
    assert retry_after(answer(**{"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"})) is None
    assert retry_after(answer()) is None


async def test_an_unreachable_forge_is_a_forge_error_without_a_status(tmp_path: Path) -> None:
    land = LandConfig(mode="pull_request", forge="github", api_base="http://127.0.0.1:9",
                      repository=REPO, token_secret="t")  # fmt: skip
    async with forge_client(land, FORGE_TOKEN, FAST, SCHEMES) as api:
        with pytest.raises(ForgeError) as failed:
            await api.find_open("devteam/run-1", "main")
    assert failed.value.status is None and "no answer" in failed.value.reason


def test_a_forge_scheme_the_operator_does_not_allow_is_refused() -> None:
    land = LandConfig(mode="pull_request", forge="gitea", api_base="http://gitea.local/api/v1",
                      repository=REPO, token_secret="t")  # fmt: skip
    with pytest.raises(ForgeError, match="the scheme http is not allowed"):
        forge_client(land, FORGE_TOKEN, FAST, frozenset({"https"}))
