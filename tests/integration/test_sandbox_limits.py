"""Checks under resource limits, with small limits: a memory hog, a fork bomb, a disk filler, a
CPU spinner, a file-descriptor leak and a flood of output each fail with the limit named, and
the worker (this process) is unharmed."""

import sys
from pathlib import Path

import pytest

from devteam_sandbox.limits import CheckLimits, resolve
from devteam_sandbox.sandbox import describe, open_box, run_sandboxed
from devteam_sandbox.settings import SandboxSettings

SMALL = CheckLimits(memory_mb=256, cpu_seconds=2, processes=48, file_size_mb=4, open_files=64,
                    output_bytes=20_000)  # fmt: skip
PY = sys.executable
SANDBOX = SandboxSettings(work_nice=0)  # the suite runs at one priority (tests/conftest.py)


async def check(
    tmp_path: Path, command: str, limits: CheckLimits = SMALL
) -> tuple[object, list[str]]:
    lines: list[str] = []

    async def sink(line: str) -> None:
        lines.append(line)

    tree = tmp_path / "tree"
    tree.mkdir(exist_ok=True)
    async with open_box(tmp_path / "boxes", "acme", tree, settings=SANDBOX) as box:
        result = await run_sandboxed(command, box=box, timeout_s=60, on_line=sink, limits=limits)
    return result, lines


@pytest.mark.parametrize(
    ("command", "limit"),
    [
        (f"{PY} -c 'x = bytearray(1024 * 1024 * 1024)'", "memory limit (256 MB)"),
        ("bomb() { bomb | bomb & }; bomb; sleep 5", "process limit (48)"),
        ("head -c 50000000 /dev/zero > big.bin", "file size limit (4 MB)"),
        (f"{PY} -c 'while True: pass'", "CPU time limit (2 s)"),
        (f"{PY} -c \"fs = [open('/dev/null') for _ in range(1000)]\"", "open files limit (64)"),
    ],
    ids=["memory", "fork-bomb", "disk-filler", "cpu", "open-files"],
)
async def test_a_check_that_hits_a_limit_fails_naming_it(
    tmp_path: Path, command: str, limit: str
) -> None:
    if limit.startswith("process") and not describe(SMALL, settings=SANDBOX)["processes_limited"]:
        pytest.skip("root without a pids cgroup: processes are not limited (and reported so)")
    result, _lines = await check(tmp_path, command)
    assert not result.ok  # type: ignore[attr-defined]
    assert result.limit == limit, result.output_tail  # type: ignore[attr-defined]
    assert not result.timed_out  # type: ignore[attr-defined]
    big = tmp_path / "tree" / "big.bin"
    assert not big.exists() or big.stat().st_size <= 4 * 1024 * 1024


async def test_output_past_the_cap_is_counted_and_cut_with_a_note(tmp_path: Path) -> None:
    result, lines = await check(tmp_path, "seq 1 100000; echo last line")
    assert result.ok  # type: ignore[attr-defined]
    kept = sum(len(line) + 1 for line in lines[:-1])
    assert kept <= 20_000
    assert lines[-1].startswith("[devteam] output cut after") and "not kept" in lines[-1]
    assert result.output_cut_bytes > 500_000  # type: ignore[attr-defined]
    assert "last line" in result.output_tail  # the failure tail is still the real end


async def test_an_ordinary_failure_names_no_limit(tmp_path: Path) -> None:
    result, _ = await check(tmp_path, f"{PY} -c 'raise SystemExit(3)'")
    assert result.exit_code == 3 and result.limit is None  # type: ignore[attr-defined]


def test_projects_may_lower_limits_never_raise_them(monkeypatch: pytest.MonkeyPatch) -> None:
    operator = SandboxSettings(verify_memory_mb=1024, verify_max_memory_mb=2048)
    assert resolve({}, operator).memory_mb == 1024
    assert resolve({"memory_mb": 512}, operator).memory_mb == 512
    assert resolve({"memory_mb": 4096}, operator).memory_mb == 2048  # capped at the maximum
    monkeypatch.setenv("DEVTEAM_VERIFY_PROCESSES", "lots")
    with pytest.raises(ValueError, match="DEVTEAM_VERIFY_PROCESSES"):
        SandboxSettings()
