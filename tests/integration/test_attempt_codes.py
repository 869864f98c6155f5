"""Every way an IMPLEMENT attempt ends has its reason code: real Aider on the host, a scripted
scenario per code, judged from git and the model's actual answers (never Aider's exit code)."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devteam_aider import AiderHost
from devteam_contracts.commands import ImplementCommand, TaskRef
from devteam_contracts.projects import Project
from devteam_contracts.repoconfig import RunConfig
from devteam_contracts.runs import AttemptCode
from devteam_implement.attempt import AttemptResult, prepare_tree, run_attempt
from devteam_implement.settings import ImplementSettings
from devteam_scripted_model import ScriptedModelServer
from devteam_scripted_model.scenarios import attempt_scenario, whole_reply

from aider_support import AIDER_PYTHON, git, make_repo, needs_aider, processes_in
from support import eventually

pytestmark = needs_aider

FILES = {
    "calc.py": '"""A tiny calculator."""\n',
    "tests/test_calc.py": "import calc\n\n\ndef test_doc():\n    assert calc.__doc__\n",
    "tasks_list.md": "- [ ] 1 Add `add(a, b)` to `calc.py`\n",
}


def project(server: ScriptedModelServer, **model: Any) -> Project:
    return Project.model_validate(
        {"id": "prj-codes", "tenant": "t-codes", "name": "codes", "repo_url": "/nowhere",
         "created_at": datetime.now(UTC),
         "model": {"name": "openai/scripted", "api_base": server.api_base, **model}}
    )  # fmt: skip


def command(tree: Path, implement_seconds: int = 60) -> ImplementCommand:
    config = RunConfig.model_validate(
        {"protected": ["tests/**"], "limits": {"implement_seconds": implement_seconds}}
    )
    return ImplementCommand(
        run_id="run-codes",
        tenant="t-codes",
        project_id="prj-codes",
        task=TaskRef(id="1", title="Add `add(a, b)` to `calc.py`"),
        config=config,
        base_sha=git(tree, "rev-parse", "HEAD").strip(),
    )


async def attempt(
    host: AiderHost, server: ScriptedModelServer, tmp_path: Path, code: str,
    implement_seconds: int = 60, **model: Any,
) -> AttemptResult:  # fmt: skip
    server.set_scenario(attempt_scenario(code))
    tree = make_repo(tmp_path / "tree", FILES)
    cmd = command(tree, implement_seconds)
    files = await prepare_tree(tree, cmd)
    assert AIDER_PYTHON is not None
    settings = ImplementSettings(aider_python=AIDER_PYTHON, aider_retry_s=0.5)
    return await run_attempt(
        cmd,
        project(server, **model),
        tree,
        files,
        settings,
        tmp_path / "state",
        host,
        "key",
        nice=0,
    )


@pytest.mark.parametrize(
    ("code", "model"),
    [
        ("changed", {}),
        ("no_change", {}),
        ("edited_tasks_file", {}),
        ("edited_config", {}),
        ("protected_path", {}),
        ("model_auth_error", {}),
        ("model_http_error", {}),
        ("model_timeout", {"request_timeout_s": 2}),
        ("malformed_edit", {"edit_format": "diff"}),
    ],
)
async def test_each_outcome_has_its_code(
    code: str, model: dict[str, Any], aider_host: AiderHost, server: ScriptedModelServer,
    tmp_path: Path,
) -> None:  # fmt: skip
    result = await attempt(aider_host, server, tmp_path, code, **model)
    record = result.record
    assert record.code is AttemptCode(code), (record, result.output_tail)
    assert record.runner == "host"
    requests = server.requests()
    edits = [r for r in requests if r["kind"] == "edit"]
    assert edits, "Aider asked the model"
    if code == "changed":
        assert record.files == ["calc.py"] and record.head_sha
        assert record.edit_requests == 1, "the task's files were in the chat from the start"
        assert "def add(a, b)" in git(tmp_path / "tree", "show", "HEAD:calc.py")
    if code == "model_auth_error":
        assert record.http_status == 401 and len(edits) == 1  # not retried
    if code == "model_http_error":
        assert record.http_status == 500 and "HTTP 500" in record.detail
        assert len(edits) > 1, "Aider retried the 500 before giving up"
    if code == "malformed_edit":
        assert len(edits) > 1, "Aider told the model its edit did not apply"
    if code in ("changed", "no_change", "malformed_edit", "protected_path"):
        assert record.usage.prompt_tokens > 0 and record.usage.completion_tokens > 0
        assert record.usage.requests == len(requests)
        assert record.usage.cost_usd is None, "no prices given, none reported"


async def test_the_attempts_time_limit_is_timeout(
    aider_host: AiderHost, server: ScriptedModelServer, tmp_path: Path
) -> None:
    result = await attempt(aider_host, server, tmp_path, "timeout", implement_seconds=5)
    assert result.record.code is AttemptCode.TIMEOUT
    assert processes_in(tmp_path / "tree") == []


async def test_aider_killed_mid_attempt_is_aider_crashed(
    aider_host: AiderHost, server: ScriptedModelServer, tmp_path: Path
) -> None:
    # As the OOM killer would: the attempt's process dies without a word.
    task = asyncio.create_task(attempt(aider_host, server, tmp_path, "aider_crashed"))
    await eventually(lambda: _asked(server), timeout_s=30, what="Aider asking the model")
    for pid in processes_in(tmp_path / "tree"):
        os.kill(pid, signal.SIGKILL)
    result = await task
    assert result.record.code is AttemptCode.AIDER_CRASHED
    assert "signal 9" in result.record.detail


async def _asked(server: ScriptedModelServer) -> bool:
    return bool(server.requests())


async def test_prices_turn_tokens_into_cost(
    aider_host: AiderHost, server: ScriptedModelServer, tmp_path: Path
) -> None:
    result = await attempt(
        aider_host, server, tmp_path, "changed", input_usd_per_mtok=3.0, output_usd_per_mtok=15.0
    )
    usage = result.record.usage
    expected = (usage.prompt_tokens * 3.0 + usage.completion_tokens * 15.0) / 1e6
    assert usage.cost_usd == pytest.approx(expected, abs=1e-6)
    assert usage.cost_usd > 0


@pytest.mark.parametrize("with_real_change", [False, True])
async def test_the_edit_formats_example_file_is_never_a_change(
    with_real_change: bool, aider_host: AiderHost, server: ScriptedModelServer, tmp_path: Path
) -> None:
    # as Qwen2.5-Coder-0.5B does on a long repair prompt: it copies the example of Aider's
    # `whole` prompt, file name and all
    files = {"path/to/filename.js": "// entire file content ...\n// ... goes in between\n"}
    if with_real_change:
        files["calc.py"] = "def add(a, b):\n    return a + b\n"
    server.set_scenario({"rules": [{"name": "copy", "reply": whole_reply(files)}]})
    tree = make_repo(tmp_path / "tree", FILES)
    cmd = command(tree)
    chat = await prepare_tree(tree, cmd)
    assert AIDER_PYTHON is not None
    settings = ImplementSettings(aider_python=AIDER_PYTHON, aider_retry_s=0.5)
    result = await run_attempt(
        cmd, project(server), tree, chat, settings, tmp_path / "state", aider_host, "key", nice=0
    )
    record = result.record
    assert not (tree / "path").exists(), "the example is gone from the tree"
    assert "path/to/filename.js" not in git(tree, "ls-tree", "-r", "--name-only", "HEAD")
    if with_real_change:
        assert (record.code, record.files) == (AttemptCode.CHANGED, ["calc.py"])
    else:
        assert record.code is AttemptCode.NO_CHANGE, result.output_tail
        assert record.files == [] and "example (path/to/filename.js)" in record.detail
