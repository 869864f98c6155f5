"""Customer projects with real dependencies, written here for the tests (no other project's
code): a Python one with a runtime dependency and a pytest plugin, a Node one whose
devDependencies hold its test runner.

Offline variants (for `make test`) carry their packages with them, as some projects do: the
Python one a `wheels/` directory its requirements point pip at (`--no-index --find-links`),
holding wheels built here and pytest's own, repacked from the verify toolchain; the Node one
an npm tarball of its test runner (a `file:` devDependency in its lockfile). The registry
variants (`make test-projects`) declare the same kind of dependencies from PyPI and npm.
"""

import base64
import hashlib
import importlib.metadata
import io
import json
import subprocess
import tarfile
import zipfile
from pathlib import Path
from typing import Any

from devteam_cli.demo_project import create_repo
from devteam_sandbox.environments import toolchain_site
from devteam_sandbox.filesystem import toolchain_dir
from devteam_sandbox.settings import SandboxSettings
from devteam_scripted_model.scenarios import whole_reply

# The `.devteam.toml` examples of docs/projects.md, each run through the product by a test
# (tests/unit/test_docs_examples.py keeps the page and this list the same).
EXPLICIT_PIP_EDITABLE = 'setup = ["pip install -e .[test]"]\nverify = ["pytest -q"]\n'
EXPLICIT_REQUIREMENTS = 'setup = ["pip install -r requirements.txt"]\nverify = ["pytest -q"]\n'
EXPLICIT_NPM = 'setup = ["npm ci"]\nverify = ["npm test"]\n'
DOCS_EXAMPLES = (EXPLICIT_PIP_EDITABLE, EXPLICIT_REQUIREMENTS, EXPLICIT_NPM)

UV = Path(__file__).parents[1] / ".tools" / "uv" / "bin" / "uv"  # (make setup)
PYTEST_DISTS = ("pytest", "pluggy", "iniconfig", "packaging", "pygments")
WHEEL = b"Wheel-Version: 1.0\nGenerator: devteam-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(dest: Path, name: str, version: str, files: dict[str, bytes],
                 dist_info: dict[str, bytes]) -> Path:  # fmt: skip
    """A wheel (PEP 427) of `files` plus `dist_info` (METADATA and WHEEL made if absent)."""
    norm = name.replace("-", "_")
    info = f"{norm}-{version}.dist-info"
    meta = dict(dist_info)
    meta.setdefault(
        "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    )
    meta.setdefault(
        "WHEEL",
        b"Wheel-Version: 1.0\nGenerator: devteam-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    )
    meta.pop("RECORD", None)
    entries = {**files, **{f"{info}/{k}": v for k, v in meta.items()}}
    record = [_record_line(path, data) for path, data in entries.items()]
    record.append(f"{info}/RECORD,,")
    entries[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = dest / f"{norm}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as whl:
        for arc, data in entries.items():
            whl.writestr(arc, data)
    return path


def build_wheel(dest: Path, name: str, version: str, modules: dict[str, str],
                requires: tuple[str, ...] = (), entry_points: str = "") -> Path:  # fmt: skip
    """A pure-Python wheel of `modules` (path → source)."""
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    dist_info = {"METADATA": metadata.encode()}
    if entry_points:
        dist_info["entry_points.txt"] = entry_points.encode()
    files = {path: text.encode() for path, text in modules.items()}
    return _write_wheel(dest, name, version, files, dist_info)


def verify_toolchain() -> str:
    """The verify toolchain's directory by this process's settings (`DEVTEAM_TOOLCHAIN`, else
    the directory of this interpreter)."""
    return toolchain_dir(SandboxSettings())


def repack_installed(dest: Path, names: tuple[str, ...] = PYTEST_DISTS) -> list[Path]:
    """Wheels of distributions installed in the verify toolchain (pytest and what it needs),
    made from their installed files, so a project can install them with no index."""
    site = toolchain_site(verify_toolchain())
    assert site is not None, "the verify toolchain is a venv (make setup)"
    made = []
    for dist in importlib.metadata.distributions(path=[str(site)]):
        name = dist.metadata["Name"]
        if name.lower() not in names:
            continue
        files: dict[str, bytes] = {}
        dist_info: dict[str, bytes] = {}
        for rel in dist.files or []:
            text = str(rel)
            if "__pycache__" in text or text.startswith(".."):
                continue
            data = (site / text).read_bytes()
            if ".dist-info/" in text:
                if text.split("/", 1)[1] not in ("INSTALLER", "REQUESTED", "direct_url.json"):
                    dist_info[text.split("/", 1)[1]] = data
            else:
                files[text] = data
        made.append(_write_wheel(dest, name, dist.version, files, dist_info))
    assert len(made) == len(names), f"found {made} of {names} in {site}"
    return made


# --- the Python project: a ledger's money formatting ---------------------------------------

LEDGER_TASKS = """\
# Ledger

## Tasks

- [ ] 1 Format amounts
  `ledger/money.py`: `format_amount(cents)` gives euros with thousands grouped, e.g.
  `format_amount(123456)` is `"1,234.56 EUR"` (use `ledgerfmt.group_thousands`, which
  `requirements.txt` names).
- [ ] 2 Parse amounts
  `ledger/money.py`: `parse_amount("1,234.56 EUR")` gives `123456` cents.
- [ ] 3 Round amounts
  Add `round_amount(cents)` to `ledger/money.py`, rounding to whole euros with `ledgerround`,
  which `requirements.txt` then names.
"""

PYTEST_INI = "[pytest]\ntestpaths = tests\npythonpath = .\naddopts = -p no:cacheprovider\n"
MONEY_STUB = '"""Money amounts of the ledger, in cents."""\n'

FORMAT_CODE = '''"""Money amounts of the ledger, in cents."""

from ledgerfmt import group_thousands


def format_amount(cents: int) -> str:
    return f"{group_thousands(cents // 100)}.{cents % 100:02d} EUR"
'''

PARSE_CODE = (
    FORMAT_CODE
    + """

def parse_amount(text: str) -> int:
    number = text.removesuffix(" EUR").replace(",", "")
    euros, _, fraction = number.partition(".")
    return int(euros) * 100 + int(fraction or 0)
"""
)

ROUND_CODE = (
    PARSE_CODE
    + """

def round_amount(cents: int) -> int:
    from ledgerround import to_whole

    return to_whole(cents)
"""
)

FORMAT_TEST = """from ledger.money import format_amount


def test_format_groups_thousands(currency):
    assert format_amount(123456) == "1,234.56 " + currency
"""

PARSE_TEST = """from ledger.money import parse_amount


def test_parse_reads_what_format_writes(currency):
    assert parse_amount("1,234.56 " + currency) == 123456
"""

ROUND_TEST = """from ledger.money import round_amount


def test_round_to_whole_euros():
    assert round_amount(12350) == 12400
"""

LEDGERFMT = {
    "ledgerfmt/__init__.py": 'def group_thousands(n: int) -> str:\n    return f"{n:,}"\n',
}
LEDGERROUND = {
    "ledgerround/__init__.py": "def to_whole(cents: int) -> int:\n"
    "    return (cents + 50) // 100 * 100\n",
}
# A pytest plugin: the fixture every test of the ledger uses.
PLUGIN = {
    "pytest_ledgercheck.py": "import pytest\n\n\n@pytest.fixture\ndef currency():\n"
    '    return "EUR"\n',
}

OFFLINE_REQUIREMENTS = (
    "--no-index\n--find-links wheels\nledgerfmt==1.0.0\npytest-ledgercheck==1.0.0\n"
)


def ledger_wheels(dest: Path) -> None:
    """The ledger's wheelhouse: its dependencies, its plugin, and pytest."""
    dest.mkdir(parents=True, exist_ok=True)
    build_wheel(dest, "ledgerfmt", "1.0.0", LEDGERFMT)
    build_wheel(dest, "ledgerround", "1.0.0", LEDGERROUND)
    build_wheel(dest, "pytest-ledgercheck", "1.0.0", PLUGIN, ("pytest>=8",),
                "[pytest11]\nledgercheck = pytest_ledgercheck\n")  # fmt: skip
    repack_installed(dest)


def create_ledger_repo(
    root: Path, config: str | None = None, requirements: str = OFFLINE_REQUIREMENTS
) -> Path:
    """The offline ledger project as a bare repository (`root/ledger.git`), its wheels
    committed; `config` is a `.devteam.toml` (none: detection decides)."""
    files = {
        "README.md": "# ledger\n",
        "ledger/__init__.py": "",
        "ledger/money.py": MONEY_STUB,
        "tests/test_package.py": "import ledger\n\n\ndef test_imports():\n    assert ledger\n",
        "requirements.txt": requirements,
        "pytest.ini": PYTEST_INI,
        ".gitignore": "__pycache__/\n*.egg-info/\n",
        "tasks_list.md": LEDGER_TASKS,
    }
    if config is not None:
        files[".devteam.toml"] = config
    wheels = root / "ledger-wheels"
    ledger_wheels(wheels)
    binary = {f"wheels/{w.name}": w.read_bytes() for w in wheels.glob("*.whl")}
    return create_repo(root, files, "ledger", "Ledger project", binary=binary)


def ledger_scenario(round_requirements: str) -> dict[str, Any]:
    """The scripted model's answers for the ledger's three tasks (Aider's whole-file
    format); task 3 also adds `ledgerround` to the requirements (`round_requirements`)."""
    money = "ledger/money.py"
    return scripted_tasks({
        "1": {money: FORMAT_CODE, "tests/test_format.py": FORMAT_TEST},
        "2": {money: PARSE_CODE, "tests/test_parse.py": PARSE_TEST},
        "3": {money: ROUND_CODE, "tests/test_round.py": ROUND_TEST,
              "requirements.txt": round_requirements},
    })  # fmt: skip


def run_suite_offline(bare: Path, work: Path) -> subprocess.CompletedProcess[str]:
    """The landed ledger's own suite, outside the product: a clone of `main`, a venv of the
    toolchain's interpreter, its requirements installed from its wheels, then pytest."""
    clone = work / "landed"
    subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
    python = Path(verify_toolchain()) / "python3"
    subprocess.run([str(python), "-m", "venv", str(work / "venv")], check=True)
    pip = [str(work / "venv/bin/python"), "-m", "pip", "install", "-q", "--isolated"]
    subprocess.run([*pip, "-r", "requirements.txt", "pytest"], cwd=clone, check=True,
                   capture_output=True)  # fmt: skip
    return subprocess.run([str(work / "venv/bin/python"), "-m", "pytest", "-q"], cwd=clone,
                          capture_output=True, text=True)  # fmt: skip


# --- the Node project: a tally of numbers --------------------------------------------------

TALLY_TASKS = """\
# Tally

## Tasks

- [ ] 1 Sum
  `src/tally.js` exports `sum(numbers)`, 0 for none.
- [ ] 2 Mean
  `src/tally.js` exports `mean(numbers)`, the arithmetic mean (NaN for none).
"""

# The test runner, an npm package of ours: `minispec` runs every `test/*.test.js`.
MINISPEC = {
    "package.json": json.dumps(
        {"name": "minispec", "version": "1.0.0", "bin": {"minispec": "bin/minispec.js"}}
    ),
    "bin/minispec.js": """#!/usr/bin/env node
const fs = require("fs"), path = require("path");
const cases = [];
global.test = (name, fn) => cases.push([name, fn]);
const dir = path.join(process.cwd(), "test");
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".test.js")).sort()) {
  require(path.join(dir, file));
}
let failed = 0;
for (const [name, fn] of cases) {
  try { fn(); console.log("ok " + name); }
  catch (err) { failed++; console.log("FAIL " + name + ": " + err.message); }
}
console.log(`${cases.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
""",
}

SUM_CODE = "exports.sum = (numbers) => numbers.reduce((a, b) => a + b, 0);\n"
MEAN_CODE = SUM_CODE + "exports.mean = (numbers) => exports.sum(numbers) / numbers.length;\n"
SUM_TEST = (
    'const assert = require("assert");\nconst { sum } = require("../src/tally");\n'
    'test("sum adds", () => assert.strictEqual(sum([1, 2, 3]), 6));\n'
)
MEAN_TEST = (
    'const assert = require("assert");\nconst { mean } = require("../src/tally");\n'
    'test("mean averages", () => assert.strictEqual(mean([1, 2, 3]), 2));\n'
)


def npm_tarball(dest: Path, files: dict[str, str]) -> Path:
    """An npm package tarball (`package/…`) of `files`."""
    meta = json.loads(files["package.json"])
    path = dest / f"{meta['name']}-{meta['version']}.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size, info.mode = len(data), 0o755 if name.startswith("bin/") else 0o644
            tar.addfile(info, io.BytesIO(data))
    return path


def create_tally_repo(root: Path, config: str | None = None) -> Path:
    """The offline tally project as a bare repository (`root/tally.git`): its test runner a
    `file:` devDependency on the tarball it carries, locked without the registry."""
    vendor = root / "tally-lock" / "vendor"
    vendor.mkdir(parents=True)
    tarball = npm_tarball(vendor, MINISPEC)
    vendored = {f"vendor/{tarball.name}": tarball.read_bytes()}
    runner = {"minispec": f"file:vendor/{tarball.name}"}
    return _tally_repo(root, "minispec", runner, config, vendored)


def create_mocha_repo(root: Path, config: str | None = None) -> Path:
    """The tally project with mocha from npm as its test runner (`root/tally.git`), locked
    against the registry."""
    return _tally_repo(root, "mocha --ui tdd", {"mocha": "^10.8.2"}, config, {})


def _tally_repo(
    root: Path, test: str, runner: dict[str, str], config: str | None, vendored: dict[str, bytes]
) -> Path:
    """The tally with `runner` as its devDependencies, locked by `npm install
    --package-lock-only` (offline when the runner is vendored)."""
    seed = root / "tally-lock"
    seed.mkdir(parents=True, exist_ok=True)
    package = {"name": "tally", "version": "1.0.0", "private": True,
               "scripts": {"test": test}, "devDependencies": runner}  # fmt: skip
    (seed / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    lock = ["npm", "install", "--package-lock-only", "--no-audit", "--no-fund", "--ignore-scripts"]
    subprocess.run([*lock, *(["--offline"] if vendored else [])], cwd=seed, check=True,
                   capture_output=True)  # fmt: skip
    files = {
        "README.md": "# tally\n",
        "package.json": (seed / "package.json").read_text(),
        "package-lock.json": (seed / "package-lock.json").read_text(),
        "src/tally.js": "// Tallies of numbers.\n",
        "test/smoke.test.js": 'test("loads", () => require("../src/tally"));\n',
        ".gitignore": "node_modules/\n",
        "tasks_list.md": TALLY_TASKS,
    }
    if config is not None:
        files[".devteam.toml"] = config
    return create_repo(root, files, "tally", "Tally project", binary=vendored)


def run_npm_suite(bare: Path, clone: Path, offline: bool) -> subprocess.CompletedProcess[str]:
    """The landed tally's own suite, outside the product: `npm ci` (`offline`: its runner is
    a tarball it carries; else from the registry), then `npm test`."""
    subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
    install = ["npm", "ci", "--no-audit", "--no-fund", *(["--offline"] if offline else [])]
    subprocess.run(install, cwd=clone, check=True, capture_output=True, timeout=300)
    return subprocess.run(["npm", "test"], cwd=clone, capture_output=True, text=True)


def tally_scenario() -> dict[str, Any]:
    """The scripted model's answers for the tally's two tasks (its tests use `test()`, which
    minispec and mocha's tdd interface both provide)."""
    return scripted_tasks(
        {
            "1": {"src/tally.js": SUM_CODE, "test/sum.test.js": SUM_TEST},
            "2": {"src/tally.js": MEAN_CODE, "test/mean.test.js": MEAN_TEST},
        }
    )


def scripted_tasks(replies: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Scripted answers: task `<id>` writes these files whole (Aider's whole-file format)."""
    return {
        "rules": [
            {"name": f"task-{task}", "when": f"Implement task {task}:", "reply": whole_reply(files)}
            for task, files in replies.items()
        ]
    }


# --- the registry variants (`make test-projects`): dependencies from PyPI and npm ----------

SLUGLINE_TASKS = """\
# Slugline

## Tasks

- [ ] 1 Slugify
  `slugline/__init__.py`: `slugify(text)` transliterates with `text_unidecode.unidecode`,
  lowercases, and joins the words with dashes.
- [ ] 2 Truncate slugs
  `slugline/__init__.py`: `slugify(text, max_length=None)` cuts the slug at a dash so that it
  is at most `max_length` long.
"""

SLUGLINE_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "slugline"
version = "0.1.0"
requires-python = ">=3.9"
dependencies = ["text-unidecode>=1.3"]

[project.optional-dependencies]
test = ["pytest>=8", "pytest-timeout>=2"]

[tool.setuptools]
packages = ["slugline"]

[tool.pytest.ini_options]
addopts = "-p no:cacheprovider --strict-markers"
"""

SLUGIFY = '''"""Slugs of titles."""

import re

from text_unidecode import unidecode


def slugify(text):
    return "-".join(re.findall(r"[a-z0-9]+", unidecode(text).lower()))
'''

TRUNCATE = '''"""Slugs of titles."""

import re

from text_unidecode import unidecode


def slugify(text, max_length=None):
    slug = "-".join(re.findall(r"[a-z0-9]+", unidecode(text).lower()))
    if max_length is not None and len(slug) > max_length:
        head = slug[: max_length + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:max_length]
    return slug
'''

# pytest-timeout's marker: with --strict-markers, a suite without the plugin fails.
SLUGIFY_TEST = """import pytest

from slugline import slugify


@pytest.mark.timeout(10)
def test_slugify_transliterates():
    assert slugify("Crème Brûlée à la carte") == "creme-brulee-a-la-carte"
"""

TRUNCATE_TEST = """import pytest

from slugline import slugify


@pytest.mark.timeout(10)
def test_truncate_at_a_dash():
    assert slugify("one two three", max_length=9) == "one-two"
"""


def create_slugline_repo(root: Path, config: str | None = None, uv: bool = False) -> Path:
    """The Python project whose dependencies come from PyPI (`root/slugline.git`); with `uv`,
    its test dependencies a `dev` dependency group, locked by `uv lock` (against PyPI)."""
    pyproject = SLUGLINE_PYPROJECT
    binary: dict[str, bytes] = {}
    if uv:
        pyproject = pyproject.replace(
            "[project.optional-dependencies]\ntest", "[dependency-groups]\ndev"
        )
        seed = root / "slugline-lock"
        seed.mkdir(parents=True)
        (seed / "pyproject.toml").write_text(pyproject)
        python = str(Path(verify_toolchain()) / "python3")
        subprocess.run([str(UV), "lock", "--quiet", "--python", python], cwd=seed, check=True,
                       capture_output=True)  # fmt: skip
        binary["uv.lock"] = (seed / "uv.lock").read_bytes()
    files = {
        "README.md": "# slugline\n",
        "pyproject.toml": pyproject,
        "slugline/__init__.py": '"""Slugs of titles."""\n',
        "tests/test_import.py": "import slugline\n\n\ndef test_imports():\n    assert slugline\n",
        ".gitignore": "__pycache__/\n*.egg-info/\nbuild/\n",
        "tasks_list.md": SLUGLINE_TASKS,
    }
    if config is not None:
        files[".devteam.toml"] = config
    return create_repo(root, files, "slugline", "Slugline project", binary=binary)


def slugline_scenario() -> dict[str, Any]:
    """The scripted model's answers for slugline's two tasks."""
    return scripted_tasks(
        {
            "1": {"slugline/__init__.py": SLUGIFY, "tests/test_slugify.py": SLUGIFY_TEST},
            "2": {"slugline/__init__.py": TRUNCATE, "tests/test_truncate.py": TRUNCATE_TEST},
        }
    )
