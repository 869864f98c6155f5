"""Git workspaces on real repositories: mirror, worktrees, the one-commit integration, pushes,
and a customer repository that tries to run its own hooks."""

import os
import subprocess
import time
from pathlib import Path

import pytest

from devteam_cli.demo_project import TASKS_LIST, create_demo_repo
from devteam_git.errors import GitError, InvalidInputError, MergeConflictError, PushRejectedError
from devteam_git.maintenance import sweep
from devteam_git.urls import normalize_repo_url
from devteam_git.workspace import (
    Workspace,
    changed_paths,
    check_branch_name,
    collect_garbage,
    commit_all,
    handover_ref,
    head,
    squash_commit,
    task_branch,
)
from devteam_sandbox.identity import give_tree, user_for
from devteam_sandbox.settings import SandboxSettings


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return create_demo_repo(tmp_path / "remote")


@pytest.fixture
def ws(tmp_path: Path, remote: Path) -> Workspace:
    return Workspace(tmp_path / "data", "acme", "prj-1", normalize_repo_url(str(remote)))


async def test_sync_reads_the_target_branch_without_a_checkout(remote: Path, ws: Workspace) -> None:
    sha = await ws.sync("main")
    assert sha == git(remote, "rev-parse", "main")
    assert await ws.read_file(sha, "tasks_list.md") == TASKS_LIST.encode()
    assert await ws.read_file(sha, "missing.md") is None
    assert not (ws.mirror / "tasks_list.md").exists()
    assert await ws.sync("main") == sha  # fetch, no re-clone


async def test_a_run_branch_the_remote_lacks_yet_is_none_and_the_base_comes_from_the_target(
    remote: Path, ws: Workspace, tmp_path: Path
) -> None:
    """A pull-request run's branch before its first push: no error, nothing fetched; the base
    of its first task is found on the target branch. Once pushed, the branch is read."""
    assert await ws.sync_present("devteam/run-1") is None
    main = git(remote, "rev-parse", "main")
    other = Workspace(tmp_path / "other", "acme", "prj-1", normalize_repo_url(str(remote)))
    assert await other.fetch_base(main, ["devteam/run-1", "main"])
    assert not await other.fetch_base("0" * 40, ["devteam/run-1", "main"])  # (not anywhere)
    git(remote, "branch", "devteam/run-1", "main")
    assert await ws.sync_present("devteam/run-1") == main
    with pytest.raises(GitError, match="couldn't find remote ref"):
        await ws.sync("devteam/gone")  # the target branch itself must be there


async def test_prepare_is_idempotent_and_cleans_the_worktree(remote: Path, ws: Workspace) -> None:
    base = await ws.sync("main")
    path = await ws.prepare("run-1", "1.2", base)
    assert git(path, "rev-parse", "--abbrev-ref", "HEAD") == task_branch("run-1", "1.2")
    (path / "calc.py").write_text("garbage\n")
    (path / "stray.txt").write_text("left behind\n")
    again = await ws.prepare("run-1", "1.2", base)
    assert again == path
    assert await head(path) == base
    assert git(path, "status", "--porcelain", "--ignored") == ""


async def test_task_lands_as_one_commit_and_is_pushed(remote: Path, ws: Workspace) -> None:
    base = await ws.sync("main")
    path = await ws.prepare("run-1", "1", base)
    (path / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    await commit_all(path, "aider: add")
    (path / "calc.py").write_text("def add(a, b):\n    return b + a\n")
    tip = await commit_all(path, "aider: tweak")
    ticked = TASKS_LIST.replace("- [ ] 1 ", "- [x] 1 ", 1).encode()
    commit = await squash_commit(ws.mirror, base, tip, "1 Add add\n", "tasks_list.md", ticked)
    assert git(path, "rev-parse", f"{commit}^") == base
    assert sorted(await changed_paths(path, base, commit)) == ["calc.py", "tasks_list.md"]
    assert await changed_paths(path, tip, commit) == ["tasks_list.md"]
    await ws.push(commit, "main")
    assert git(remote, "rev-parse", "main") == commit
    assert git(remote, "show", "main:tasks_list.md") == ticked.decode().rstrip("\n")


async def test_push_onto_a_moved_branch_is_rejected(
    remote: Path, ws: Workspace, tmp_path: Path
) -> None:
    base = await ws.sync("main")
    path = await ws.prepare("run-1", "1", base)
    (path / "calc.py").write_text("x = 1\n")
    tip = await commit_all(path, "change")
    # Someone else pushes to main meanwhile.
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    (other / "README.md").write_text("changed\n")
    git(other, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "moved")
    git(other, "push", "-q", "origin", "main")
    commit = await squash_commit(
        ws.mirror, base, tip, "1 x\n", "tasks_list.md", TASKS_LIST.encode()
    )
    with pytest.raises(PushRejectedError):
        await ws.push(commit, "main")


async def test_customer_hooks_never_run(remote: Path, ws: Workspace, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    # The customer's own repository (a local remote) has server-side hooks and config that
    # would run commands on this machine during our fetch and push.
    for name in ("pre-receive", "update", "post-receive", "post-update", "reference-transaction"):
        (remote / "hooks" / name).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (remote / "hooks" / name).chmod(0o755)
    git(remote, "config", "core.fsmonitor", f"touch {marker}")
    base = await ws.sync("main")
    path = await ws.prepare("run-1", "1", base)
    # A repository can carry hooks in its config (core.hooksPath) or in the mirror's hooks dir.
    hooks = path / "evil-hooks"
    hooks.mkdir()
    for name in ("pre-commit", "post-commit", "post-checkout", "reference-transaction"):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
        hook.chmod(0o755)
        (ws.mirror / "hooks" / name).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (ws.mirror / "hooks" / name).chmod(0o755)
    git(path, "config", "core.hooksPath", str(hooks))
    (path / "calc.py").write_text("x = 2\n")
    tip = await commit_all(path, "change")
    await ws.push(tip, "main")
    assert git(remote, "rev-parse", "main") == tip
    await ws.sync("main")
    await ws.prepare("run-1", "1", base)
    assert not marker.exists()


async def test_hostile_names_are_refused(ws: Workspace) -> None:
    for name in ("-delete", "a..b", "a b", "x.lock", "@", "a~1", "a^b", "a:b"):
        with pytest.raises(InvalidInputError):
            await check_branch_name(name)
    await check_branch_name("feature/ok-1.2")
    with pytest.raises(InvalidInputError):
        await ws.prepare("run-1", "../../etc", "0" * 40)
    with pytest.raises(InvalidInputError):
        Workspace(Path("/tmp"), "../x", "p", "file:///r")


async def test_replay_onto_a_moved_branch_merges_or_names_the_conflict(
    remote: Path, ws: Workspace, tmp_path: Path
) -> None:
    base = await ws.sync("main")
    path = await ws.prepare("run-1", "1", base)
    (path / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    tip = await commit_all(path, "add")
    ticked = TASKS_LIST.replace("- [ ] 1 ", "- [x] 1 ", 1)
    ours = await squash_commit(
        ws.mirror, base, tip, "1 Add\n\ntrailer\n", "tasks_list.md", ticked.encode()
    )
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    (other / "tasks_list.md").write_text(TASKS_LIST + "- [ ] 4 A new task\n")
    git(other, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "add task 4")
    git(other, "push", "-q", "origin", "main")
    tip = await ws.sync("main")

    replayed = await ws.replay_onto(ours, tip)
    assert git(path, "rev-parse", f"{replayed}^") == tip
    merged = git(path, "show", f"{replayed}:tasks_list.md") + "\n"
    assert merged == ticked + "- [ ] 4 A new task\n"
    assert await ws.commit_message(replayed) == "1 Add\n\ntrailer\n"
    assert await ws.find_landed(base, replayed, "trailer") == replayed
    assert await ws.find_landed(base, tip, "trailer") is None

    (other / "tasks_list.md").write_text(TASKS_LIST.replace("1 Add an", "1 Please add an"))
    git(other, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "retitle 1")
    git(other, "push", "-q", "origin", "main")
    tip = await ws.sync("main")
    with pytest.raises(MergeConflictError) as conflict:
        await ws.replay_onto(ours, tip)
    assert conflict.value.paths == ["tasks_list.md"]


async def test_the_tree_is_reused_and_nothing_leaks_between_tasks(ws: Workspace) -> None:
    base = await ws.sync("main")
    first = await ws.prepare("run-1", "1", base)
    (first / "calc.py").write_text("changed\n")
    (first / "__pycache__").mkdir()
    (first / "__pycache__" / "calc.pyc").write_text("ignored build output")  # .gitignore'd
    (first / "untracked.txt").write_text("x")
    tip = await commit_all(first, "task 1 work")
    await ws.finish("run-1", "1")
    assert git(ws.mirror, "branch", "--list", "devteam/*") == ""
    second = await ws.prepare("run-1", "2", base)
    assert second == first  # the same tree, reused
    assert await head(second) == base != tip
    assert git(second, "status", "--porcelain", "--ignored") == ""
    assert git(second, "rev-parse", "--abbrev-ref", "HEAD") == "devteam/run-1/2"


async def test_projects_share_a_repository_mirror_but_never_across_tenants(
    tmp_path: Path, remote: Path
) -> None:
    url = normalize_repo_url(str(remote))
    a = Workspace(tmp_path, "acme", "prj-a", url)
    b = Workspace(tmp_path, "acme", "prj-b", url)
    other = Workspace(tmp_path, "globex", "prj-a", url)
    assert a.mirror == b.mirror and a.tree != b.tree
    assert other.mirror != a.mirror and other.tree != a.tree


async def test_failed_task_branches_are_kept_until_their_retention_ends(ws: Workspace) -> None:
    base = await ws.sync("main")
    await ws.prepare("run-1", "1", base)
    await ws.prepare("run-2", "1", base)  # run-1's task failed: its branch stays
    git(ws.mirror, "update-ref", handover_ref("run-1", "1", 1), base)  # the failed task's hand-over
    assert await collect_garbage(ws.mirror, keep_failed_s=3600) == []
    deleted = await collect_garbage(ws.mirror, keep_failed_s=-10)
    # the checked-out branch is never deleted
    assert deleted == ["refs/devteam/run-1/1/1", "refs/heads/devteam/run-1/1"]


async def test_commits_travel_between_data_directories_as_a_bundle(
    tmp_path: Path, remote: Path
) -> None:
    """Implement's commits reach another process's own mirror through a bundle only: the
    base comes from the customer's repository, the rest from the bundle."""
    url = normalize_repo_url(str(remote))
    maker = Workspace(tmp_path / "implement", "acme", "prj-1", url)
    taker = Workspace(tmp_path / "verify", "acme", "prj-1", url)
    base = await maker.sync("main")
    path = await maker.prepare("run-1", "1", base)
    (path / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    await commit_all(path, "one")
    (path / "notes.md").write_text("two\n")
    tip = await commit_all(path, "two")
    bundle = await maker.bundle("run-1", "1", 1, base, tip)
    calls = 0

    async def source() -> bytes | None:
        nonlocal calls
        calls += 1
        return bundle

    handover = (handover_ref("run-1", "1", 1), source)
    await taker.ensure_commit(tip, base=base, branches=["main"], handover=handover)
    assert await taker.has_commit(tip) and calls == 1
    tree = await taker.prepare("run-1", "1", tip)
    assert tree != path and (tree / "notes.md").read_text() == "two\n"
    await taker.ensure_commit(tip, base=base, branches=["main"], handover=handover)
    assert calls == 1  # held already: nothing fetched
    # the bundle holds only the task's commits, never the repository's history
    assert len(bundle) < 2000
    await taker.finish("run-1", "1")
    assert git(taker.mirror, "for-each-ref", "refs/devteam/") == ""

    async def gone() -> bytes | None:
        return None

    other = Workspace(tmp_path / "complete", "acme", "prj-1", url)
    with pytest.raises(GitError, match="not handed over"):
        await other.ensure_commit(
            tip, base=base, branches=["main"], handover=("refs/devteam/x", gone)
        )


async def test_start_up_sweep_repairs_what_a_crash_left(ws: Workspace, tmp_path: Path) -> None:
    base = await ws.sync("main")
    tree = await ws.prepare("run-1", "1", base)
    old = time.time() - 3600
    stale = [ws.mirror / "packed-refs.lock", ws.mirror / "refs" / "heads" / "main.lock"]
    gitdir = Path(git(tree, "rev-parse", "--git-dir"))
    stale.append(gitdir / "index.lock")
    for lock in stale:
        lock.parent.mkdir(parents=True, exist_ok=True)
        lock.write_text("")
        os.utime(lock, (old, old))
    fresh = ws.mirror / "HEAD.lock"
    fresh.write_text("")  # another replica may be writing right now
    half_made = ws.mirror.with_name("0123456789abcdef.tmp")
    half_made.mkdir()
    orphan = ws.root.parent / "prj-gone" / "tree"
    orphan.mkdir(parents=True)
    (orphan / ".git").write_text(f"gitdir: {ws.mirror}/worktrees/gone\n")

    report = await sweep(ws.data_dir)
    assert sorted(report.locks) == sorted(stale)
    assert report.half_made_mirrors == [half_made]
    assert report.orphaned_trees == [orphan]
    assert fresh.exists()
    fresh.unlink()
    assert await ws.prepare("run-1", "2", base) == tree  # usable again


async def test_submodules_and_attribute_drivers_are_inert_by_default(
    tmp_path: Path, remote: Path
) -> None:
    marker = tmp_path / "PWNED"
    sub = create_demo_repo(tmp_path / "sub")
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "-q", str(remote), str(seed))
    git(seed, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor")
    (seed / ".gitattributes").write_text("* filter=evil diff=evil merge=evil\n")
    # What the customer's repository config asks for (never seen by us: config isn't fetched,
    # and the local remote's own config is not applied to our commands).
    for key in ("filter.evil.smudge", "filter.evil.clean", "core.sshCommand", "diff.evil.textconv"):
        git(remote, "config", key, f"touch {marker}")
    git(seed, "add", "-A")
    git(seed, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "submodule + attrs")
    git(seed, "push", "-q", "origin", "main")
    ws = Workspace(tmp_path / "data", "acme", "prj-1", normalize_repo_url(str(remote)))
    base = await ws.sync("main")
    tree = await ws.prepare("run-1", "1", base)
    assert (tree / "vendor").is_dir() and not any((tree / "vendor").iterdir())
    (tree / "calc.py").write_text("x = 3\n")
    await ws.push(await commit_all(tree, "change"), "main")
    assert not marker.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the tree is handed to another user by root only")
async def test_a_tree_a_tenant_had_cannot_make_our_git_run_its_code(
    tmp_path: Path, ws: Workspace
) -> None:
    # A check (as the tenant's user, who owns the tree while it runs) swaps the tree's `.git`
    # for a repository of its own whose config defines a filter for every file: our next
    # checkout in that tree, as root, must not run it.
    marker = tmp_path / "PWNED"
    base = await ws.sync("main")
    tree = await ws.prepare("run-1", "1", base)
    user = user_for("acme", SandboxSettings())
    assert user is not None
    give_tree(tree, user)
    fake = tree / ".git.fake"
    git(tmp_path, "init", "-q", "--bare", str(fake))
    git(fake, "config", "filter.evil.smudge", f"sh -c 'touch {marker}; cat'")
    git(fake, "config", "core.bare", "false")
    git(fake, "config", "core.worktree", str(tree))
    (fake / "info").mkdir(exist_ok=True)
    (fake / "info" / "attributes").write_text("* filter=evil\n")
    (fake / "objects" / "info" / "alternates").write_text(f"{ws.mirror.resolve()}/objects\n")
    (tree / ".git").unlink()
    (tree / ".git").symlink_to(fake)
    (tree / "calc.py").write_text("changed by the check\n")
    again = await ws.prepare("run-1", "2", base)
    assert again == tree and not marker.exists()
    assert (tree / ".git").is_file() and not (tree / ".git").is_symlink()
    assert git(tree, "-c", f"safe.directory={tree}", "status", "--porcelain") == ""
    assert (tree / "calc.py").read_text() != "changed by the check\n"
