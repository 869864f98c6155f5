"""The contract as a frontend and ops tooling meet it: the AsyncAPI document checked by the
AsyncAPI parser, and TypeScript types with a typed client compiled by `tsc --strict` (the npm
tools come from `contracts/ts/package-lock.json`: `make test` installs them)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from devteam_contracts import asyncapi

TS = Path(__file__).resolve().parents[2] / "contracts" / "ts"
TOOLS = TS / "node_modules" / ".package-lock.json"


def node(*args: str | Path, cwd: Path = TS) -> subprocess.CompletedProcess[str]:
    if not TOOLS.exists():
        pytest.fail("the contract's npm tools are not installed: run `make test` (or "
                    "`cd contracts/ts && npm ci --ignore-scripts`)")  # fmt: skip
    return subprocess.run(["node", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


def tsc(project: Path) -> subprocess.CompletedProcess[str]:
    return node(TS / "node_modules" / "typescript" / "bin" / "tsc", "-p", project, cwd=project)


def test_the_checked_in_asyncapi_document_is_generated_from_the_contracts() -> None:
    assert asyncapi.DOCUMENT.read_text() == asyncapi.render(), (
        "run `make schema` and commit the result"
    )


def test_the_asyncapi_parser_accepts_the_document() -> None:
    checked = node("validate-asyncapi.mjs", asyncapi.DOCUMENT)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "valid AsyncAPI 3.0.0" in checked.stdout


def test_the_asyncapi_parser_refuses_a_document_that_breaks_its_own_references(
    tmp_path: Path,
) -> None:
    document = asyncapi.document()
    # an operation sending a message its channel does not carry
    document["operations"]["sendSelectCommand"]["messages"] = [
        {"$ref": "#/channels/selectCommands/messages/VerifyCommand"}
    ]
    broken = tmp_path / "asyncapi.json"
    broken.write_text(json.dumps(document))
    checked = node("validate-asyncapi.mjs", broken)
    assert checked.returncode == 1 and "sendSelectCommand" in checked.stdout, checked.stdout


def test_the_typescript_types_are_generated_from_the_schema(tmp_path: Path) -> None:
    generated = node("generate-types.mjs", tmp_path / "devteam.ts")
    assert generated.returncode == 0, generated.stderr
    assert (tmp_path / "devteam.ts").read_text() == (TS / "devteam.ts").read_text(), (
        "run `make schema` and commit the result"
    )


def test_the_typed_client_compiles_with_strict_checks() -> None:
    compiled = tsc(TS)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr


def client_with(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the client project in `tmp_path` whose client.ts has `old` replaced."""
    for name in ("devteam.ts", "tsconfig.json"):
        shutil.copy(TS / name, tmp_path / name)
    client = (TS / "client.ts").read_text()
    assert old in client
    (tmp_path / "client.ts").write_text(client.replace(old, new))
    return tmp_path


def test_a_client_that_does_not_handle_an_event_type_does_not_compile(tmp_path: Path) -> None:
    case = '    case "run.paused":\n      return `paused before ${event.data.next_step}`;\n'
    compiled = tsc(client_with(tmp_path, case, ""))
    assert compiled.returncode != 0
    assert "RunPaused" in compiled.stdout and "never" in compiled.stdout, compiled.stdout


def test_a_client_reading_a_field_an_event_does_not_have_does_not_compile(
    tmp_path: Path,
) -> None:
    compiled = tsc(client_with(tmp_path, "event.data.duration_ms", "event.data.duration_s"))
    assert compiled.returncode != 0 and "duration_s" in compiled.stdout, compiled.stdout
