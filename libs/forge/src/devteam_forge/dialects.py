"""The three forges' pull-request APIs: GitHub's pulls, GitLab's merge requests (API v4),
Gitea's and Forgejo's pulls (API v1)."""

from typing import Any
from urllib.parse import quote

from devteam_forge.client import ForgeClient, PullRequest, State


class _Pulls(ForgeClient):
    """The pulls API GitHub has and Gitea copies: `/repos/{owner}/{repo}/pulls`."""

    @property
    def _pulls(self) -> str:
        return f"/repos/{self.repository}/pulls"

    async def _create(self, head: str, base: str, title: str, body: str) -> PullRequest:
        payload = {"title": title, "head": head, "base": base, "body": body}
        return self._parse(await self._call("POST", self._pulls, json=payload, creating=True))

    async def get(self, number: int) -> PullRequest:
        return self._parse(await self._call("GET", f"{self._pulls}/{number}"))

    async def update_body(self, number: int, body: str) -> PullRequest:
        return self._parse(
            await self._call("PATCH", f"{self._pulls}/{number}", json={"body": body})
        )

    @staticmethod
    def _merged(pull: dict[str, Any]) -> bool:
        return bool(pull.get("merged_at"))  # GitHub's lists have no `merged`

    def _parse(self, pull: dict[str, Any]) -> PullRequest:
        head_repo = (pull.get("head") or {}).get("repo") or {}
        state: State = "merged" if self._merged(pull) else _open_or_closed(pull["state"])
        return PullRequest(
            number=int(pull["number"]),
            url=str(pull["html_url"]),
            head=str(pull["head"]["ref"]),
            base=str(pull["base"]["ref"]),
            body=pull.get("body") or "",
            state=state,
            same_repository=str(head_repo.get("full_name", "")).lower() == self.repository.lower(),
        )


class GitHub(_Pulls):
    """`api_base`: `https://api.github.com` (GitHub Enterprise: `https://host/api/v3`)."""

    name = "github"

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    async def open_pulls(self, base: str, head: str | None = None) -> list[PullRequest]:
        params = {"state": "open", "base": base, "per_page": 100}
        if head is not None:  # GitHub filters by `owner:branch`
            params["head"] = f"{self.repository.split('/')[0]}:{head}"
        return [self._parse(p) for p in await self._call("GET", self._pulls, params=params)]


class GitLab(ForgeClient):
    """`api_base`: `https://gitlab.example.com/api/v4`; the repository is the project's path
    (`group/sub/name`). Bodies go form-encoded, as GitLab's API description gives them."""

    name = "gitlab"

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"PRIVATE-TOKEN": token, "Accept": "application/json"}

    @property
    def _mrs(self) -> str:
        return f"/projects/{quote(self.repository, safe='')}/merge_requests"

    async def open_pulls(self, base: str, head: str | None = None) -> list[PullRequest]:
        params: dict[str, Any] = {"state": "opened", "target_branch": base, "per_page": 100}
        if head is not None:
            params["source_branch"] = head
        return [self._parse(m) for m in await self._call("GET", self._mrs, params=params)]

    async def _create(self, head: str, base: str, title: str, body: str) -> PullRequest:
        form = {"title": title, "source_branch": head, "target_branch": base, "description": body}
        return self._parse(await self._call("POST", self._mrs, data=form, creating=True))

    async def get(self, number: int) -> PullRequest:
        return self._parse(await self._call("GET", f"{self._mrs}/{number}"))

    async def update_body(self, number: int, body: str) -> PullRequest:
        return self._parse(
            await self._call("PUT", f"{self._mrs}/{number}", data={"description": body})
        )

    def _parse(self, mr: dict[str, Any]) -> PullRequest:
        states: dict[str, State] = {"opened": "open", "merged": "merged"}
        return PullRequest(
            number=int(mr["iid"]),
            url=str(mr["web_url"]),
            head=str(mr["source_branch"]),
            base=str(mr["target_branch"]),
            body=mr.get("description") or "",
            state=states.get(str(mr.get("state")), "closed"),
            same_repository=mr.get("source_project_id") == mr.get("target_project_id"),
        )


class Gitea(_Pulls):
    """`api_base`: `https://gitea.example.com/api/v1` (Forgejo too)."""

    name = "gitea"
    PAGE = 50
    MAX_PAGES = 20

    def _auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"token {token}", "Accept": "application/json"}

    async def open_pulls(self, base: str, head: str | None = None) -> list[PullRequest]:
        # Gitea's list has no branch filter: page through the open ones.
        found: list[PullRequest] = []
        for page in range(1, self.MAX_PAGES + 1):
            params = {"state": "open", "page": page, "limit": self.PAGE}
            batch = await self._call("GET", self._pulls, params=params)
            found += [self._parse(p) for p in batch]
            if len(batch) < self.PAGE:
                break
        return [p for p in found if p.base == base and (head is None or p.head == head)]

    @staticmethod
    def _merged(pull: dict[str, Any]) -> bool:
        return bool(pull.get("merged"))


def _open_or_closed(state: object) -> State:
    return "open" if state == "open" else "closed"
