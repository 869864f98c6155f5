"""Gitea's (1.20) pull-request endpoints, and PullRequest objects as its description has them.

Gitea writes `null` for an unset `merged_at`, `closed_at`, `milestone`, `assignee`...; its
description marks nothing nullable, so the fake leaves such fields out (clients must treat an
absent field and a null one alike). Editing answers 201, as Gitea does and describes.
"""

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .github import numeric_id
from .model import Incoming, PullRecord, Reply, branch_sha

if TYPE_CHECKING:
    from . import FakeForge

PULLS = re.compile(r"^/repos/([^/]+)/([^/]+)/pulls$")
PULL = re.compile(r"^/repos/([^/]+)/([^/]+)/pulls/([0-9]+)$")


def error(forge: "FakeForge", status: int, message: str) -> Reply:
    return Reply(status, {"message": message, "url": f"{forge.web_base('gitea')}/api/swagger"})


def not_found(forge: "FakeForge") -> Reply:
    return Reply(
        404,
        {
            "errors": [],
            "message": "The target couldn't be found.",
            "url": f"{forge.web_base('gitea')}/api/swagger",
        },
    )


def handle(forge: "FakeForge", request: Incoming) -> Reply:
    if match := PULLS.match(request.path):
        repository = f"{unquote(match[1])}/{unquote(match[2])}"
        if forge.bare(repository) is None:
            return not_found(forge)
        if request.method == "GET":
            return list_pulls(forge, request, repository)
        if request.method == "POST":
            return create(forge, request, repository)
    elif match := PULL.match(request.path):
        repository = f"{unquote(match[1])}/{unquote(match[2])}"
        pull = forge.find("gitea", repository, int(match[3]))
        if pull is None:
            return not_found(forge)
        if request.method == "GET":
            return Reply(200, pull_json(forge, pull))
        if request.method == "PATCH":
            return update(forge, request, pull)
    return not_found(forge)


def list_pulls(forge: "FakeForge", request: Incoming, repository: str) -> Reply:
    state = request.param("state") or "open"
    found = [
        pull_json(forge, pull)
        for pull in forge.pulls("gitea", repository)
        if state == "all" or (pull.state == "open") == (state == "open")
    ]
    # Newest first; 30 a page unless `limit` (at most 50: Gitea's MAX_RESPONSE_ITEMS).
    return Reply(200, request.page(found[::-1], "limit", 30, 50))


def create(forge: "FakeForge", request: Incoming, repository: str) -> Reply:
    fields = request.body if isinstance(request.body, dict) else {}
    owner = repository.split("/")[0]
    head, base = str(fields.get("head", "")), str(fields.get("base", ""))
    if ":" in head:
        head_owner, _, head = head.partition(":")
        if head_owner != owner:  # forks are not modelled
            return not_found(forge)
    bare = forge.bare(repository)
    assert bare is not None
    head_sha, base_sha = branch_sha(bare, head), branch_sha(bare, base)
    if head_sha is None or base_sha is None:
        return not_found(forge)  # Gitea answers 404 (not described) for a missing branch
    pull, existing = forge.create(
        "gitea",
        repository,
        title=str(fields.get("title", "")),
        body=str(fields.get("body", "")),
        head=head,
        base=base,
        head_sha=head_sha,
        base_sha=base_sha,
    )
    if pull is None:
        assert existing is not None
        repo_id = numeric_id(repository)
        return error(
            forge,
            409,
            (
                f"pull request already exists for these targets [id: {existing.id}, issue_id: "
                f"{existing.id}, head_repo_id: {repo_id}, base_repo_id: {repo_id}, "
                f"head_branch: {head}, base_branch: {base}]"
            ),
        )
    return Reply(201, pull_json(forge, pull))


def update(forge: "FakeForge", request: Incoming, pull: PullRecord) -> Reply:
    fields = request.body if isinstance(request.body, dict) else {}
    state = fields.get("state")
    if state == "open" and pull.state == "merged":
        return error(forge, 409, "cannot change state of this pull request, it was already merged")
    changed = forge.update(
        "gitea",
        pull.repository,
        pull.number,
        title=fields.get("title"),
        body=fields.get("body"),
        state=state if state in ("open", "closed") else None,
    )
    return Reply(201, pull_json(forge, changed))


def user(forge: "FakeForge", login: str) -> dict[str, Any]:
    web = forge.web_base("gitea")
    return {
        "id": numeric_id(login),
        "login": login,
        "login_name": "",
        "full_name": "",
        "email": f"{login}@noreply.localhost",
        "avatar_url": f"{web}/avatars/{login}",
        "language": "",
        "is_admin": False,
        "last_login": "2024-01-01T00:00:00Z",
        "created": "2024-01-01T00:00:00Z",
        "restricted": False,
        "active": True,
        "prohibit_login": False,
        "location": "",
        "website": "",
        "description": "",
        "visibility": "public",
        "followers_count": 0,
        "following_count": 0,
        "starred_repos_count": 0,
        "username": login,
    }


def repository(forge: "FakeForge", full_name: str) -> dict[str, Any]:
    owner, name = full_name.split("/")
    web = forge.web_base("gitea")
    return {
        "id": numeric_id(full_name),
        "owner": user(forge, owner),
        "name": name,
        "full_name": full_name,
        "description": "",
        "empty": False,
        "private": True,
        "fork": False,
        "template": False,
        "mirror": False,
        "size": 0,
        "language": "",
        "languages_url": f"{forge.api_base('gitea')}/repos/{full_name}/languages",
        "html_url": f"{web}/{full_name}",
        "link": "",
        "ssh_url": f"{web}/{full_name}.git",
        "clone_url": f"{web}/{full_name}.git",
        "original_url": "",
        "website": "",
        "stars_count": 0,
        "forks_count": 0,
        "watchers_count": 0,
        "open_issues_count": 0,
        "open_pr_counter": 0,
        "release_counter": 0,
        "default_branch": "main",
        "archived": False,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "permissions": {"admin": True, "push": True, "pull": True},
        "has_issues": True,
        "internal_tracker": {
            "enable_time_tracker": False,
            "allow_only_contributors_to_track_time": True,
            "enable_issue_dependencies": True,
        },
        "has_wiki": False,
        "has_pull_requests": True,
        "has_projects": False,
        "has_releases": False,
        "has_packages": False,
        "has_actions": False,
        "ignore_whitespace_conflicts": False,
        "allow_merge_commits": True,
        "allow_rebase": True,
        "allow_rebase_explicit": True,
        "allow_squash_merge": True,
        "allow_rebase_update": True,
        "default_delete_branch_after_merge": False,
        "default_merge_style": "merge",
        "default_allow_maintainer_edit": False,
        "avatar_url": "",
        "internal": False,
        "mirror_interval": "",
    }


def pull_json(forge: "FakeForge", pull: PullRecord) -> dict[str, Any]:
    owner = pull.repository.split("/")[0]
    repo = repository(forge, pull.repository)
    merged = pull.state == "merged"

    def branch(ref: str, sha: str) -> dict[str, Any]:
        return {"label": ref, "ref": ref, "sha": sha, "repo_id": repo["id"], "repo": repo}

    shown: dict[str, Any] = {
        "id": pull.id,
        "url": pull.html_url,
        "number": pull.number,
        "user": user(forge, owner),
        "title": pull.title,
        "body": pull.body,
        "labels": [],
        "assignees": [],
        "state": "open" if pull.state == "open" else "closed",
        "is_locked": False,
        "comments": 0,
        "html_url": pull.html_url,
        "diff_url": f"{pull.html_url}.diff",
        "patch_url": f"{pull.html_url}.patch",
        "mergeable": not merged,
        "merged": merged,
        "allow_maintainer_edit": False,
        "base": branch(pull.base, pull.base_sha),
        "head": branch(pull.head, pull.head_sha),
        "merge_base": pull.base_sha,
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
    }
    optional = {
        "merged_at": pull.merged_at,
        "merge_commit_sha": pull.merge_commit_sha,
        "closed_at": pull.closed_at,
        "merged_by": user(forge, owner) if merged else None,
    }
    shown.update({key: value for key, value in optional.items() if value is not None})
    return shown
