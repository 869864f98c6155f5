"""GitHub's pull-request endpoints, and pull objects complete enough for its description."""

import re
import zlib
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .model import Incoming, PullRecord, Reply, branch_sha, is_ancestor

if TYPE_CHECKING:
    from . import FakeForge

DOCS = "https://docs.github.com/rest/pulls/pulls"
PULLS = re.compile(r"^/repos/([^/]+)/([^/]+)/pulls$")
PULL = re.compile(r"^/repos/([^/]+)/([^/]+)/pulls/([0-9]+)$")


def error(status: int, message: str, anchor: str = "", **extra: Any) -> Reply:
    return Reply(
        status,
        {
            "message": message,
            "documentation_url": f"{DOCS}{anchor}",
            "status": str(status),
            **extra,
        },
    )


def validation_failed(anchor: str, *errors: dict[str, str]) -> Reply:
    return error(422, "Validation Failed", anchor, errors=list(errors))


def handle(forge: "FakeForge", request: Incoming) -> Reply:
    if match := PULLS.match(request.path):
        repository = f"{unquote(match[1])}/{unquote(match[2])}"
        if forge.bare(repository) is None:
            return error(404, "Not Found")
        if request.method == "GET":
            return list_pulls(forge, request, repository)
        if request.method == "POST":
            return create(forge, request, repository)
    elif match := PULL.match(request.path):
        repository = f"{unquote(match[1])}/{unquote(match[2])}"
        pull = forge.find("github", repository, int(match[3]))
        if pull is None:
            return error(404, "Not Found", "#get-a-pull-request")
        if request.method == "GET":
            return Reply(200, pull_json(forge, pull))
        if request.method == "PATCH":
            return update(forge, request, pull)
    return error(404, "Not Found")


def list_pulls(forge: "FakeForge", request: Incoming, repository: str) -> Reply:
    owner = repository.split("/")[0]
    state = request.param("state") or "open"
    head, base = request.param("head"), request.param("base")
    found = []
    for pull in forge.pulls("github", repository):
        if state != "all" and (pull.state == "open") != (state == "open"):
            continue
        if head is not None and head not in (f"{owner}:{pull.head}",):
            continue
        if base is not None and base != pull.base:
            continue
        found.append(pull_json(forge, pull, simple=True))
    # Newest first, like GitHub's default sort; 30 a page unless `per_page` (at most 100).
    return Reply(200, request.page(found[::-1], "per_page", 30, 100))


def create(forge: "FakeForge", request: Incoming, repository: str) -> Reply:
    fields = request.body if isinstance(request.body, dict) else {}
    anchor = "#create-a-pull-request"
    owner = repository.split("/")[0]
    head = str(fields.get("head", ""))
    if ":" in head:
        head_owner, _, head = head.partition(":")
        if head_owner != owner:  # forks are not modelled
            return validation_failed(
                anchor, {"resource": "PullRequest", "field": "head", "code": "invalid"}
            )
    base = str(fields.get("base", ""))
    title = fields.get("title")
    if not isinstance(title, str) or not title:
        return validation_failed(
            anchor, {"resource": "Issue", "field": "title", "code": "missing_field"}
        )
    bare = forge.bare(repository)
    assert bare is not None
    head_sha, base_sha = branch_sha(bare, head), branch_sha(bare, base)
    if head_sha is None or base_sha is None:
        return validation_failed(
            anchor,
            *(
                {"resource": "PullRequest", "field": name, "code": "invalid"}
                for name, sha in (("base", base_sha), ("head", head_sha))
                if sha is None
            ),
        )
    if is_ancestor(bare, head_sha, base_sha):
        return validation_failed(
            anchor,
            {
                "resource": "PullRequest",
                "code": "custom",
                "message": f"No commits between {base} and {head}",
            },
        )
    pull, _ = forge.create(
        "github",
        repository,
        title=title,
        body=str(fields.get("body") or ""),
        head=head,
        base=base,
        head_sha=head_sha,
        base_sha=base_sha,
    )
    if pull is None:
        message = f"A pull request already exists for {owner}:{head}."
        return validation_failed(
            anchor, {"resource": "PullRequest", "code": "custom", "message": message}
        )
    shown = pull_json(forge, pull)
    return Reply(201, shown, {"Location": shown["url"]})


def update(forge: "FakeForge", request: Incoming, pull: PullRecord) -> Reply:
    fields = request.body if isinstance(request.body, dict) else {}
    state = fields.get("state")
    if state == "open" and pull.state == "merged":
        return validation_failed(
            "#update-a-pull-request",
            {
                "resource": "PullRequest",
                "code": "custom",
                "message": "state cannot be changed. The pull request has been merged.",
            },
        )
    changed = forge.update(
        "github",
        pull.repository,
        pull.number,
        title=fields.get("title"),
        body=fields.get("body"),
        state=state if state in ("open", "closed") else None,
    )
    return Reply(200, pull_json(forge, changed))


# --- objects ---------------------------------------------------------------------------------


def numeric_id(text: str) -> int:
    return zlib.crc32(text.encode()) % 10_000_000 + 1


def user(forge: "FakeForge", login: str) -> dict[str, Any]:
    api, web = forge.api_base("github"), forge.web_base("github")
    url = f"{api}/users/{login}"
    return {
        "login": login,
        "id": numeric_id(login),
        "node_id": f"U_{numeric_id(login)}",
        "avatar_url": f"{web}/avatars/{login}",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{web}/{login}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": "User",
        "site_admin": False,
        "user_view_type": "public",
    }


REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def repository(forge: "FakeForge", full_name: str) -> dict[str, Any]:
    owner, name = full_name.split("/")
    api, web = forge.api_base("github"), forge.web_base("github")
    url = f"{api}/repos/{full_name}"
    git_url = f"{web}/{full_name}.git"
    return {
        "id": numeric_id(full_name),
        "node_id": f"R_{numeric_id(full_name)}",
        "name": name,
        "full_name": full_name,
        "owner": user(forge, owner),
        "private": True,
        "html_url": f"{web}/{full_name}",
        "description": None,
        "fork": False,
        "url": url,
        **{key: url + suffix for key, suffix in REPO_URLS.items()},
        "git_url": git_url,
        "ssh_url": git_url,
        "clone_url": git_url,
        "svn_url": f"{web}/{full_name}",
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "default_branch": "main",
        "open_issues_count": 0,
        "open_issues": 0,
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": False,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "private",
        "pushed_at": "2024-01-01T00:00:00Z",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "license": None,
        "allow_forking": False,
        "web_commit_signoff_required": False,
    }


def pull_json(forge: "FakeForge", pull: PullRecord, simple: bool = False) -> dict[str, Any]:
    """The `pull-request` object (`pull-request-simple` for lists)."""
    owner = pull.repository.split("/")[0]
    api = forge.api_base("github")
    url = f"{api}/repos/{pull.repository}/pulls/{pull.number}"
    issue = f"{api}/repos/{pull.repository}/issues/{pull.number}"
    repo = repository(forge, pull.repository)
    author = user(forge, owner)

    def branch(ref: str, sha: str) -> dict[str, Any]:
        return {"label": f"{owner}:{ref}", "ref": ref, "sha": sha, "user": author, "repo": repo}

    shown: dict[str, Any] = {
        "url": url,
        "id": pull.id,
        "node_id": f"PR_{pull.id}",
        "html_url": pull.html_url,
        "diff_url": f"{pull.html_url}.diff",
        "patch_url": f"{pull.html_url}.patch",
        "issue_url": issue,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{api}/repos/{pull.repository}/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments",
        "statuses_url": f"{api}/repos/{pull.repository}/statuses/{pull.head_sha}",
        "number": pull.number,
        "state": "open" if pull.state == "open" else "closed",
        "locked": False,
        "title": pull.title,
        "user": author,
        "body": pull.body or None,
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
        "closed_at": pull.closed_at,
        "merged_at": pull.merged_at,
        "merge_commit_sha": pull.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": branch(pull.head, pull.head_sha),
        "base": branch(pull.base, pull.base_sha),
        "_links": {
            name: {"href": href}
            for name, href in (
                ("self", url),
                ("html", pull.html_url),
                ("issue", issue),
                ("comments", f"{issue}/comments"),
                ("review_comments", f"{url}/comments"),
                ("review_comment", f"{api}/repos/{pull.repository}/pulls/comments{{/number}}"),
                ("commits", f"{url}/commits"),
                ("statuses", f"{api}/repos/{pull.repository}/statuses/{pull.head_sha}"),
            )
        },
        "author_association": "OWNER",
        "auto_merge": None,
        "draft": False,
    }
    if simple:
        return shown
    merged = pull.state == "merged"
    return {
        **shown,
        "merged": merged,
        "mergeable": None if merged else True,
        "rebaseable": None if merged else True,
        "mergeable_state": "unknown" if merged else "clean",
        "merged_by": author if merged else None,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": 1,
        "additions": 1,
        "deletions": 0,
        "changed_files": 1,
    }
