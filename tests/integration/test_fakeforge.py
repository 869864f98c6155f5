"""The fake forge (tests/fakeforge) itself: each forge's pull-request calls, its refusals, and
that it holds every request and its own answers to the forge's published API description."""

import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from fakeforge import FakeForge, Kind, PullRecord, gitea, github
from fakeforge.fixtures import FORGE_TOKEN, bare_repository, fake_forge  # noqa: F401

REPO = "acme/app"
PULLS = f"/repos/{REPO}/pulls"  # GitHub's and Gitea's
MRS = "/projects/acme%2Fapp/merge_requests"
NEW_PULL = {"title": "t", "head": "feature", "base": "main"}
NEW_MR = {"title": "t", "source_branch": "feature", "target_branch": "main"}
KINDS: list[Kind] = ["github", "gitlab", "gitea"]


@dataclass(frozen=True)
class Dialect:
    """How a client talks to one forge (what the product's forge client sends)."""

    kind: Kind
    headers: Callable[[str], dict[str, str]]
    pulls: str
    created: int  # the status of a create
    updated: int  # the status of an edit (Gitea answers 201)
    edit: str  # the method that edits

    def pull(self, number: int) -> str:
        return f"{self.pulls}/{number}"

    def create(
        self, client: httpx.Client, head: str, base: str, title: str, body: str
    ) -> httpx.Response:
        if self.kind == "gitlab":
            form = {
                "title": title,
                "source_branch": head,
                "target_branch": base,
                "description": body,
            }
            return client.post(self.pulls, data=form)
        return client.post(
            self.pulls, json={"title": title, "head": head, "base": base, "body": body}
        )

    def update_body(self, client: httpx.Client, number: int, body: str) -> httpx.Response:
        if self.kind == "gitlab":
            return client.put(self.pull(number), data={"description": body})
        return client.patch(self.pull(number), json={"body": body})

    def open_by_head(self, client: httpx.Client, head: str, base: str) -> list[dict[str, Any]]:
        if self.kind == "github":
            params: dict[str, Any] = {"state": "open", "head": f"acme:{head}", "base": base}
        elif self.kind == "gitlab":
            params = {"state": "opened", "source_branch": head, "target_branch": base}
        else:
            params = {"state": "open", "page": 1, "limit": 50}
        response = client.get(self.pulls, params=params)
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()
        return [
            p
            for p in found
            if branch(self.kind, p, "head") == head and branch(self.kind, p, "base") == base
        ]

    def body(self, pull: dict[str, Any]) -> str:
        return str(pull["description" if self.kind == "gitlab" else "body"] or "")

    def number(self, pull: dict[str, Any]) -> int:
        return int(pull["iid" if self.kind == "gitlab" else "number"])

    def state(self, pull: dict[str, Any]) -> str:
        if self.kind == "gitlab":
            return "open" if pull["state"] == "opened" else str(pull["state"])
        merged = pull["merged_at"] if self.kind == "github" else pull["merged"]
        return "merged" if merged else str(pull["state"])


def branch(kind: Kind, pull: dict[str, Any], side: str) -> str:
    if kind == "gitlab":
        return str(pull["source_branch" if side == "head" else "target_branch"])
    return str(pull[side]["ref"])


DIALECTS = {
    "github": Dialect(
        "github",
        lambda t: {
            "Authorization": f"Bearer {t}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        },
        PULLS,
        201,
        200,
        "PATCH",
    ),
    "gitlab": Dialect(
        "gitlab",
        lambda t: {"PRIVATE-TOKEN": t},
        MRS,
        201,
        200,
        "PUT",
    ),
    "gitea": Dialect(
        "gitea",
        lambda t: {"Authorization": f"token {t}"},
        PULLS,
        201,
        201,
        "PATCH",
    ),
}


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bare_repository(tmp_path_factory.mktemp("forge"), ("feature", "other"))


@pytest.fixture
def forge(fake_forge: FakeForge, bare: Path) -> FakeForge:  # noqa: F811
    fake_forge.add_repository(REPO, bare)
    return fake_forge


@pytest.fixture
def loose(bare: Path) -> Iterator[FakeForge]:
    """A forge for the tests that send mismatches on purpose."""
    forge = FakeForge(token=FORGE_TOKEN)
    forge.add_repository(REPO, bare)
    with forge.serving():
        yield forge


# Plain http on loopback: one TLS context for all the clients (each would load the CA store).
TLS = ssl.create_default_context()


def client(forge: FakeForge, kind: Kind, token: str | None = FORGE_TOKEN) -> httpx.Client:
    headers = DIALECTS[kind].headers(token) if token is not None else {}
    return httpx.Client(base_url=forge.api_base(kind), headers=headers, timeout=10, verify=TLS)


@pytest.mark.parametrize("kind", KINDS)
def test_a_pull_request_is_created_found_read_updated_and_merged(
    forge: FakeForge, kind: Kind
) -> None:
    dialect = DIALECTS[kind]
    with client(forge, kind) as http:
        assert dialect.open_by_head(http, "feature", "main") == []
        created = dialect.create(http, "feature", "main", "Add the feature", "first body")
        assert created.status_code == dialect.created, created.text
        number = dialect.number(created.json())
        assert number == 1
        [found] = dialect.open_by_head(http, "feature", "main")
        assert dialect.number(found) == number
        assert dialect.open_by_head(http, "other", "main") == []
        got = http.get(dialect.pull(number))
        assert got.status_code == 200 and dialect.body(got.json()) == "first body"
        updated = dialect.update_body(http, number, "second body")
        assert updated.status_code == dialect.updated, updated.text
        assert dialect.body(updated.json()) == "second body"
        assert dialect.state(updated.json()) == "open"

        forge.set_state(kind, REPO, number, "merged")
        assert dialect.state(http.get(dialect.pull(number)).json()) == "merged"
        assert dialect.open_by_head(http, "feature", "main") == []

    [pull] = forge.pulls(kind, REPO)
    assert (pull.number, pull.title, pull.head, pull.base, pull.state) == (
        1,
        "Add the feature",
        "feature",
        "main",
        "merged",
    )
    assert pull.bodies == ["first body", "second body"] and pull.body == "second body"
    assert pull.html_url.startswith(f"http://127.0.0.1:{forge.port}/{kind}-web/{REPO}/")
    assert [r.status for r in forge.requests][:3] == [200, dialect.created, 200]
    # The strict fixture checks `forge.invalid == []` at teardown: the answers matched too.


@pytest.mark.parametrize("kind", KINDS)
def test_a_second_open_pull_request_for_the_branch_is_refused(forge: FakeForge, kind: Kind) -> None:
    dialect = DIALECTS[kind]
    with client(forge, kind) as http:
        assert dialect.create(http, "feature", "main", "t", "b").status_code == 201
        again = dialect.create(http, "feature", "main", "t", "b")
    expected = {
        "github": (422, "A pull request already exists for acme:feature."),
        "gitlab": (409, "Another open merge request already exists for this source branch: !1"),
        "gitea": (409, "pull request already exists for these targets"),
    }[kind]
    assert again.status_code == expected[0]
    assert expected[1] in again.text
    if kind == "github":
        assert again.json()["message"] == "Validation Failed"
    assert len(forge.pulls(kind, REPO)) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_branch_is_refused(forge: FakeForge, kind: Kind) -> None:
    with client(forge, kind) as http:
        response = DIALECTS[kind].create(http, "no-such-branch", "main", "t", "b")
    assert response.status_code == {"github": 422, "gitlab": 422, "gitea": 404}[kind]
    assert forge.pulls(kind, REPO) == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_wrong_token_gets_401_and_a_missing_one_is_a_mismatch(
    loose: FakeForge, kind: Kind
) -> None:
    with client(loose, kind, token="wrong") as http:
        wrong = http.get(DIALECTS[kind].pulls)
    assert wrong.status_code == 401
    assert (
        wrong.json()["message"]
        == {
            "github": "Bad credentials",
            "gitlab": "401 Unauthorized",
            "gitea": "invalid username, password or token",
        }[kind]
    )
    assert loose.invalid == []
    with client(loose, kind, token=None) as http:
        assert http.get(DIALECTS[kind].pulls).status_code == 401
    [problem] = loose.invalid
    assert problem.startswith(f"{kind} request GET ")
    assert not any(r.authorized for r in loose.requests)
    assert "wrong" not in repr(loose.requests)


@pytest.mark.parametrize(("kind", "authorization"), [("github", "Basic"), ("gitea", "Bearer")])
def test_an_authorization_scheme_the_forge_does_not_describe_is_a_mismatch(
    loose: FakeForge, kind: Kind, authorization: str
) -> None:
    headers = {"Authorization": f"{authorization} {FORGE_TOKEN}"}
    with client(loose, kind, token=None) as http:
        assert http.get(PULLS, headers=headers).status_code == 401
    [problem] = loose.invalid
    assert "Authorization" in problem


def test_the_token_is_never_recorded(forge: FakeForge) -> None:
    for kind in KINDS:
        with client(forge, kind) as http:
            http.get(DIALECTS[kind].pulls)
    assert len(forge.requests) == 3 and all(r.authorized for r in forge.requests)
    assert FORGE_TOKEN not in repr(forge.requests)
    assert forge.requests[0].headers["x-github-api-version"] == "2022-11-28"


INVALID: list[tuple[Kind, str, str, dict[str, Any], str]] = [
    # (forge, method, path, httpx arguments, what the mismatch names)
    ("github", "POST", PULLS, {"json": {"title": "t", "base": "main"}}, "'head' is a required"),
    ("github", "PATCH", f"{PULLS}/1", {"json": {"body": 5}}, "body: 5 is not"),
    ("github", "GET", PULLS, {"params": {"state": "opened"}}, "'opened'"),
    ("github", "GET", f"{PULLS}/one", {}, "pull_number"),
    ("github", "DELETE", f"{PULLS}/1", {}, "Operation delete not found"),
    ("gitlab", "GET", MRS, {"params": {"state": "bogus"}}, "'bogus' is not one of"),
    ("gitlab", "POST", MRS, {"json": NEW_MR}, "mimetype not found: application/json"),
    ("gitlab", "POST", MRS, {"data": {"title": "t", "source_branch": "b"}}, "'target_branch' is a"),
    ("gitlab", "PUT", f"{MRS}/1", {"data": {"state_event": "merge-it"}}, "'merge-it' is not"),
    ("gitea", "POST", PULLS, {"json": {**NEW_PULL, "labels": "bug"}}, "labels: 'bug' is not"),
    ("gitea", "GET", PULLS, {"params": {"state": "opened"}}, "'opened'"),
    ("gitea", "GET", PULLS, {"params": {"limit": "ten"}}, "limit"),
]


@pytest.mark.parametrize(("kind", "method", "path", "arguments", "named"), INVALID)
def test_a_request_the_description_does_not_allow_is_refused_and_recorded(
    loose: FakeForge, kind: Kind, method: str, path: str, arguments: dict[str, Any], named: str
) -> None:
    with client(loose, kind) as http:
        response = http.request(method, path, **arguments)
    # With the checks a no-op these would be served (2xx), or crash the fake.
    assert response.status_code in (400, 404, 422), response.text
    [problem] = loose.invalid
    assert problem.startswith(f"{kind} request {method} ") and named in problem, problem
    assert response.json()["fake_forge"] == [problem]
    assert loose.pulls(kind, REPO) == []


@pytest.mark.parametrize("kind", ["github", "gitea"])
def test_the_fakes_own_answers_are_checked(
    loose: FakeForge, kind: Kind, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = github if kind == "github" else gitea
    shaped = module.pull_json

    def broken(*args: Any, **kwargs: Any) -> dict[str, Any]:
        pull: dict[str, Any] = shaped(*args, **kwargs)
        pull["number"] = str(pull["number"])
        if kind == "github":
            del pull["user"]["login"]
        return pull

    monkeypatch.setattr(module, "pull_json", broken)
    with client(loose, kind) as http:
        assert DIALECTS[kind].create(http, "feature", "main", "t", "b").status_code == 201
    problems = loose.invalid
    assert len(problems) == 1 and problems[0].startswith(f"{kind} response 201 to POST ")
    assert "number: '1' is not of type 'integer'" in problems[0]
    if kind == "github":  # Gitea's description requires nothing, GitHub's user needs a login
        assert "user: 'login' is a required property" in problems[0]


def test_fail_next_answers_instead_of_serving(forge: FakeForge) -> None:
    forge.fail_next("github", 502, count=2)
    forge.fail_next("gitlab", 403, json_body={"message": "403 Forbidden"})
    with client(forge, "github") as http:
        statuses = [
            DIALECTS["github"].create(http, "feature", "main", "t", "b").status_code
            for _ in range(3)
        ]
    assert statuses == [502, 502, 201]
    assert len(forge.pulls("github", REPO)) == 1
    with client(forge, "gitlab") as http:
        refused = http.get(DIALECTS["gitlab"].pulls)
        assert (refused.status_code, refused.json()) == (403, {"message": "403 Forbidden"})
        assert http.get(DIALECTS["gitlab"].pulls).status_code == 200
    with client(forge, "gitea") as http:  # the failures were GitHub's and GitLab's
        assert http.get(DIALECTS["gitea"].pulls).status_code == 200
    assert [r.injected for r in forge.requests] == [True, True, False, True, False, False]


def test_on_create_runs_after_storing_and_before_answering(forge: FakeForge) -> None:
    seen: list[PullRecord] = []
    entered, release = threading.Event(), threading.Event()

    def on_create(pull: PullRecord) -> None:
        seen.append(pull)
        entered.set()
        release.wait(timeout=10)

    forge.on_create = on_create
    answers: list[httpx.Response] = []

    def create() -> None:
        with client(forge, "github") as http:
            answers.append(DIALECTS["github"].create(http, "feature", "main", "t", "b"))

    caller = threading.Thread(target=create)
    caller.start()
    assert entered.wait(timeout=10)
    assert answers == [] and caller.is_alive()  # no answer yet...
    assert [p.number for p in forge.pulls("github", REPO)] == [1]  # ...and it is stored
    release.set()
    caller.join(timeout=10)
    assert [a.status_code for a in answers] == [201]
    assert [(p.kind, p.repository, p.number) for p in seen] == [("github", REPO, 1)]


def test_unknown_repositories_and_pulls_are_404(forge: FakeForge) -> None:
    with client(forge, "github") as http:
        assert http.get("/repos/acme/nope/pulls").status_code == 404
        assert http.get(f"/repos/{REPO}/pulls/7").status_code == 404
    with client(forge, "gitlab") as http:
        assert http.get("/projects/acme%2Fnope/merge_requests").status_code == 404
    with client(forge, "gitea") as http:
        assert http.get(f"/repos/{REPO}/pulls/7").status_code == 404


def test_lists_page_and_filter_by_state(forge: FakeForge) -> None:
    with client(forge, "gitea") as http:
        assert DIALECTS["gitea"].create(http, "feature", "main", "one", "").status_code == 201
        assert DIALECTS["gitea"].create(http, "other", "main", "two", "").status_code == 201
        forge.set_state("gitea", REPO, 1, "closed")
        titles = [
            p["title"]
            for p in http.get(
                DIALECTS["gitea"].pulls, params={"state": "all", "limit": 1, "page": 2}
            ).json()
        ]
        assert titles == ["one"]
        assert [p["title"] for p in http.get(DIALECTS["gitea"].pulls).json()] == ["two"]
