"""Running untrusted commands: time limits kill the whole group, the environment is scrubbed,
and with bubblewrap the command cannot write outside its worktree or reach the network."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from devteam_sandbox.process import run_process
from devteam_sandbox.sandbox import Box, bwrap_available, open_box, run_sandboxed
from devteam_sandbox.settings import SandboxSettings, WorkSettings

from support import eventually

needs_bwrap = pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed")
SANDBOX = SandboxSettings(work_nice=0)  # the suite runs at one priority (tests/conftest.py)


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Box]:
    """A box for tenant `acme` on an empty worktree."""
    worktree = tmp_path / "wt"
    worktree.mkdir()
    async with open_box(tmp_path / "boxes", "acme", worktree, settings=SANDBOX) as opened:
        yield opened


_AUTOGROUP_SWITCH = Path("/proc/sys/kernel/sched_autogroup_enabled")
AUTOGROUPS = _AUTOGROUP_SWITCH.exists() and _AUTOGROUP_SWITCH.read_text().strip() == "1"


async def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    result = await run_process(
        ["/bin/sh", "-c", f"sleep 60 & echo $! > {pidfile}; echo started; wait"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        timeout_s=1,
        nice=0,
    )
    assert result.timed_out and not result.ok
    assert "started" in result.output_tail
    child = int(pidfile.read_text())
    assert await eventually(lambda: _gone(child), timeout_s=10, what="the grandchild killed")


async def _gone(pid: int) -> bool:
    # Killed and possibly not yet reaped by init: a zombie counts as gone.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


async def test_output_is_streamed_line_by_line(tmp_path: Path) -> None:
    lines: list[str] = []

    async def sink(line: str) -> None:
        lines.append(line)

    result = await run_process(
        ["/bin/sh", "-c", "echo one; echo two >&2; exit 3"],
        cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, timeout_s=10, nice=0, on_line=sink,
    )  # fmt: skip
    assert result.exit_code == 3
    assert lines == ["one", "two"]


def test_untrusted_work_runs_ten_nicer_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEVTEAM_WORK_NICE")
    assert WorkSettings().work_nice == 10  # NATS, the gateway and the stages go first
    assert SandboxSettings().work_nice == 10
    monkeypatch.setenv("DEVTEAM_WORK_NICE", "-1")
    refused = "DEVTEAM_WORK_NICE must be a whole number from 0 to 19"
    for settings in (WorkSettings, SandboxSettings):
        with pytest.raises(ValueError, match=refused):
            settings()


@pytest.mark.parametrize("nice", [0, 10])
async def test_untrusted_work_runs_at_a_lower_priority(tmp_path: Path, nice: int) -> None:
    result = await run_process(["nice"], cwd=tmp_path, env={"PATH": "/usr/bin:/bin"},
                               timeout_s=10, nice=nice)  # fmt: skip
    assert int(result.output_tail) == min(19, os.nice(0) + nice)


@pytest.mark.skipif(not AUTOGROUPS, reason="the kernel does not group tasks by session")
async def test_untrusted_work_keeps_its_priority_in_its_own_session(tmp_path: Path) -> None:
    # Its own session is its own scheduler group, which would compete with the control plane
    # at nice 0 whatever its tasks' nice: the parent gives the group the work's nice once the
    # command has started (in the sandbox too: no second session there).
    expected = f"nice {min(19, os.nice(0) + 10)}"
    group = "/proc/$$/autogroup"
    wait = f"for i in $(seq 100); do grep -q '{expected}$' {group} && break; sleep 0.05; done"
    script = f"{wait}; cat {group}"
    result = await run_process(["sh", "-c", script], cwd=tmp_path,
                               env={"PATH": "/usr/bin:/bin"}, timeout_s=20, nice=10)  # fmt: skip
    assert result.output_tail.strip().endswith(expected), result.output_tail
    niced = SandboxSettings(work_nice=10)
    async with open_box(tmp_path / "boxes", "acme", tmp_path, settings=niced) as box:
        result = await run_sandboxed(script, box=box, timeout_s=20)
    assert result.output_tail.strip().endswith(expected), result.output_tail


@pytest.mark.parametrize("nice", [0, 10])
async def test_a_missing_executable_is_an_error(tmp_path: Path, nice: int) -> None:
    with pytest.raises(FileNotFoundError):
        await run_process(["no-such-tool-here"], cwd=tmp_path, env={"PATH": "/usr/bin:/bin"},
                          timeout_s=10, nice=nice)  # fmt: skip


async def test_environment_is_scrubbed(box: Box, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-should-not-leak-000000")
    result = await run_sandboxed("env", box=box, timeout_s=10)
    assert result.ok
    assert "sk-should-not-leak" not in result.output_tail
    assert f"HOME={box.home}" in result.output_tail


@needs_bwrap
async def test_bwrap_confines_writes_and_network(box: Box, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"  # under /tmp: the sandbox has its own empty /tmp
    worktree = box.worktree
    script = (
        f"touch {outside}; "
        "touch /usr/devteam-sandbox-probe 2>/dev/null && echo WROTE-OUTSIDE; "
        "touch inside.txt && echo wrote-inside; "
        "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", 9), 1)' "
        "2>/dev/null || echo no-network"
    )
    result = await run_sandboxed(script, box=box, timeout_s=20)
    assert "WROTE-OUTSIDE" not in result.output_tail
    assert not outside.exists()
    assert "wrote-inside" in result.output_tail
    assert (worktree / "inside.txt").exists()
    assert "no-network" in result.output_tail


@needs_bwrap
async def test_a_toolchain_under_tmp_stays_visible(tmp_path: Path) -> None:
    # A fresh CI checkout (and its venv) may sit under /tmp, which the sandbox replaces with an
    # empty tmpfs: the toolchain must be shown again on top of it, and the checks find its
    # executables first on PATH (`devteam up` points DEVTEAM_TOOLCHAIN at a lean venv).
    tool = tmp_path / "venv" / "bin"
    tool.mkdir(parents=True)
    (tool / "probe").write_text("#!/bin/sh\necho configured-toolchain\n")
    (tool / "probe").chmod(0o755)
    worktree = tmp_path / "wt"
    worktree.mkdir()
    configured = SandboxSettings(work_nice=0, toolchain=str(tool))
    async with open_box(tmp_path / "boxes", "acme", worktree, settings=configured) as box:
        result = await run_sandboxed("probe", box=box, timeout_s=20)
    assert result.ok, result.output_tail
    assert "configured-toolchain" in result.output_tail
