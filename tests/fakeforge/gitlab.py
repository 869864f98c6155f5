"""GitLab's (API v4) merge-request endpoints, and merge requests shaped as v4 returns them."""

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .github import numeric_id
from .model import Incoming, PullRecord, Reply, State, branch_sha

if TYPE_CHECKING:
    from . import FakeForge

MRS = re.compile(r"^/projects/([^/]+)/merge_requests$")
MR = re.compile(r"^/projects/([^/]+)/merge_requests/([0-9]+)$")
STATES: dict[State, str] = {"open": "opened", "closed": "closed", "merged": "merged"}


def handle(forge: "FakeForge", request: Incoming) -> Reply:
    if match := MRS.match(request.path):
        project = resolve(forge, match[1])
        if project is None:
            return Reply(404, {"message": "404 Project Not Found"})
        if request.method == "GET":
            return list_mrs(forge, request, project)
        if request.method == "POST":
            return create(forge, request, project)
    elif match := MR.match(request.path):
        project = resolve(forge, match[1])
        if project is None:
            return Reply(404, {"message": "404 Project Not Found"})
        mr = forge.find("gitlab", project, int(match[2]))
        if mr is None:
            return Reply(404, {"message": "404 Not found"})
        if request.method == "GET":
            return Reply(200, mr_json(forge, mr))
        if request.method == "PUT":
            return update(forge, request, mr)
    return Reply(404, {"error": "404 Not Found"})


def resolve(forge: "FakeForge", project_id: str) -> str | None:
    """The "owner/name" of a project given by its URL-encoded path or its numeric id."""
    if project_id.isdigit():
        return next(
            (name for name in forge.repositories() if numeric_id(name) == int(project_id)), None
        )
    name = unquote(project_id)
    return name if forge.bare(name) is not None else None


def form(request: Incoming) -> dict[str, str]:
    return request.body if isinstance(request.body, dict) else {}


def list_mrs(forge: "FakeForge", request: Incoming, project: str) -> Reply:
    state = request.param("state") or "all"
    source, target = request.param("source_branch"), request.param("target_branch")
    found = [
        mr_json(forge, mr)
        for mr in forge.pulls("gitlab", project)
        if (state == "all" or STATES[mr.state] == state)
        and source in (None, mr.head)
        and target in (None, mr.base)
    ]
    # Newest first (order_by=created_at, sort=desc); 20 a page unless `per_page` (at most 100).
    return Reply(200, request.page(found[::-1], "per_page", 20, 100))


def create(forge: "FakeForge", request: Incoming, project: str) -> Reply:
    fields = form(request)
    source, target = fields.get("source_branch", ""), fields.get("target_branch", "")
    if source == target:
        return Reply(422, {"message": ["You can't use same project/branch for source and target"]})
    bare = forge.bare(project)
    assert bare is not None
    source_sha, target_sha = branch_sha(bare, source), branch_sha(bare, target)
    missing = [
        f'{side} branch "{name}" does not exist'
        for side, name, sha in (("Source", source, source_sha), ("Target", target, target_sha))
        if sha is None
    ]
    if source_sha is None or target_sha is None:
        return Reply(422, {"message": missing})
    mr, existing = forge.create(
        "gitlab",
        project,
        title=fields.get("title", ""),
        body=fields.get("description", ""),
        head=source,
        base=target,
        head_sha=source_sha,
        base_sha=target_sha,
    )
    if mr is None:
        assert existing is not None
        message = "Another open merge request already exists for this source branch"
        return Reply(409, {"message": [f"{message}: !{existing.number}"]})
    return Reply(201, mr_json(forge, mr))


def update(forge: "FakeForge", request: Incoming, mr: PullRecord) -> Reply:
    fields = form(request)
    event = fields.get("state_event")
    state: State | None = None
    if event == "close":
        state = "closed"
    elif event == "reopen" and mr.state == "closed":
        state = "open"
    changed = forge.update(
        "gitlab",
        mr.repository,
        mr.number,
        title=fields.get("title"),
        body=fields.get("description"),
        state=state,
    )
    return Reply(200, mr_json(forge, changed))


def mr_json(forge: "FakeForge", mr: PullRecord) -> dict[str, Any]:
    owner = mr.repository.split("/")[0]
    web = forge.web_base("gitlab")
    project_id = numeric_id(mr.repository)
    author = {
        "id": numeric_id(owner),
        "username": owner,
        "name": owner,
        "state": "active",
        "locked": False,
        "avatar_url": None,
        "web_url": f"{web}/{owner}",
    }
    merged = mr.state == "merged"
    return {
        "id": mr.id,
        "iid": mr.number,
        "project_id": project_id,
        "title": mr.title,
        "description": mr.body,
        "state": STATES[mr.state],
        "created_at": mr.created_at,
        "updated_at": mr.updated_at,
        "merged_by": author if merged else None,
        "merge_user": author if merged else None,
        "merged_at": mr.merged_at,
        "closed_by": author if mr.state == "closed" else None,
        "closed_at": mr.closed_at,
        "target_branch": mr.base,
        "source_branch": mr.head,
        "user_notes_count": 0,
        "upvotes": 0,
        "downvotes": 0,
        "author": author,
        "assignees": [],
        "assignee": None,
        "reviewers": [],
        "source_project_id": project_id,
        "target_project_id": project_id,
        "labels": [],
        "draft": False,
        "work_in_progress": False,
        "milestone": None,
        "merge_when_pipeline_succeeds": False,
        "merge_status": "can_be_merged",
        "detailed_merge_status": "mergeable" if not merged else "not_open",
        "sha": mr.head_sha,
        "merge_commit_sha": mr.merge_commit_sha,
        "squash_commit_sha": None,
        "discussion_locked": None,
        "should_remove_source_branch": None,
        "force_remove_source_branch": False,
        "prepared_at": mr.created_at,
        "reference": f"!{mr.number}",
        "references": {
            "short": f"!{mr.number}",
            "relative": f"!{mr.number}",
            "full": f"{mr.repository}!{mr.number}",
        },
        "web_url": mr.html_url,
        "time_stats": {
            "time_estimate": 0,
            "total_time_spent": 0,
            "human_time_estimate": None,
            "human_total_time_spent": None,
        },
        "squash": False,
        "squash_on_merge": False,
        "task_completion_status": {"count": 0, "completed_count": 0},
        "has_conflicts": False,
        "blocking_discussions_resolved": True,
    }
