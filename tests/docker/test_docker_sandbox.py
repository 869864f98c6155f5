"""One container per check: a Node project's tests run in its own toolchain image (the worker
has no Node), without network, with a read-only root, under memory and pids limits."""

import os
import sys
from pathlib import Path

import pytest
from conftest import NODE_IMAGE

from devteam_sandbox.docker_backend import ImageNotAllowedError
from devteam_sandbox.identity import user_for
from devteam_sandbox.limits import CheckLimits
from devteam_sandbox.process import ProcessResult
from devteam_sandbox.sandbox import describe, open_box, run_sandboxed
from devteam_sandbox.settings import SandboxSettings

SMALL = CheckLimits(memory_mb=128, cpu_seconds=5, processes=32, file_size_mb=4, open_files=64,
                    output_bytes=20_000)  # fmt: skip

PACKAGE = '{"name": "calc", "version": "1.0.0", "type": "commonjs"}\n'
SOURCE = "exports.add = (a, b) => a + b;\n"
TEST = """const test = require('node:test');
const assert = require('node:assert');
const { add } = require('./calc.js');
test('adds', () => assert.strictEqual(add(2, 3), 5));
"""


def node_project(root: Path, source: str = SOURCE) -> Path:
    tree = root / "tree"
    tree.mkdir(parents=True)
    (tree / "package.json").write_text(PACKAGE)
    (tree / "calc.js").write_text(source)
    (tree / "calc.test.js").write_text(TEST)
    return tree


async def check(
    settings: SandboxSettings, tree: Path, command: str, limits: CheckLimits = SMALL, **kw: object
) -> tuple[ProcessResult, list[str]]:
    lines: list[str] = []

    async def sink(line: str) -> None:
        lines.append(line)

    async with open_box(tree.parent / "boxes", "acme", tree, settings=settings) as box:
        result = await run_sandboxed(command, box=box, timeout_s=60, on_line=sink, limits=limits,
                                     **kw)  # type: ignore[arg-type]  # fmt: skip
    return result, lines


async def test_a_node_project_is_verified_in_its_own_toolchain_image(
    tmp_path: Path, docker_backend: SandboxSettings
) -> None:
    tree = node_project(tmp_path)
    result, lines = await check(docker_backend, tree, "node --test", image=NODE_IMAGE)
    assert result.ok, result.output_tail
    assert any("pass 1" in line for line in lines)
    # the image's file system, not the worker's: its marker is there, the worker's venv is not
    venv = Path(sys.prefix)
    seen, _ = await check(
        docker_backend, tree, f"cat /etc/devteam-toolchain; test -e {venv} || echo NO-VENV"
    )
    assert "devteam-node v" in seen.output_tail and "NO-VENV" in seen.output_tail
    broken, _ = await check(docker_backend,
                            node_project(tmp_path / "b", "exports.add = (a, b) => a - b;\n"),
                            "node --test", image=NODE_IMAGE)  # fmt: skip
    assert broken.exit_code != 0 and broken.limit is None
    report = describe(SMALL, NODE_IMAGE, settings=docker_backend)
    assert report["backend"] == "docker" and report["network"] == "none"


async def test_no_network_read_only_root_and_the_worktree_writable(
    tmp_path: Path, docker_backend: SandboxSettings
) -> None:
    tree = node_project(tmp_path)
    result, _ = await check(
        docker_backend,
        tree,
        "touch /usr/pwned 2>/dev/null && echo ROOT-WRITABLE; "
        "echo ok > out.txt; echo tmp > /tmp/x && cat /tmp/x; "
        "node -e \"require('net').connect(80, '127.0.0.1').on('error', e => "
        "{ console.log('NO-NETWORK', e.code); process.exit(0) })"
        ".on('connect', () => { console.log('CONNECTED'); process.exit(1) })\"",
    )
    assert result.ok, result.output_tail
    assert "ROOT-WRITABLE" not in result.output_tail and "NO-NETWORK" in result.output_tail
    assert (tree / "out.txt").read_text() == "ok\n"
    user = user_for("acme", docker_backend)  # the tenant's unprivileged user, not root
    assert (tree / "out.txt").stat().st_uid == (user.uid if user else os.getuid()) != 0


@pytest.mark.parametrize(
    ("command", "limit"),
    [
        (
            'node -e "const a = []; while (true) a.push(Buffer.alloc(1 << 20, 1))"',
            "memory limit (128 MB)",
        ),
        ("bomb() { bomb | bomb & }; bomb; sleep 3; exit 1", "process limit (32)"),
    ],
    ids=["memory", "fork-bomb"],
)
async def test_limits_hold_in_the_container(
    tmp_path: Path, command: str, limit: str, docker_backend: SandboxSettings
) -> None:
    result, _ = await check(docker_backend, node_project(tmp_path), command)
    assert not result.ok and result.limit == limit, result.output_tail


async def test_an_image_the_operator_did_not_allow_is_refused(
    tmp_path: Path, docker_backend: SandboxSettings
) -> None:
    with pytest.raises(ImageNotAllowedError, match="not allowed"):
        await check(docker_backend, node_project(tmp_path), "true", image="evil/miner:latest")
