"""Zero configuration for the common cases: how to set up and check a repository that says
nothing about it, decided from its top-level file names and the text of a few of them.

Python is recognised by uv.lock, an installable pyproject.toml/setup.py/setup.cfg,
requirements files, PEP 735 dependency groups or a pytest configuration; Node by package.json.
A repository with both gets both (Python first, in the one virtualenv). Python is set up with
`uv sync --frozen` when uv locks it, else with one `pip install` of its requirements files,
itself (editable, with its test/dev extras) and its test/dev dependency groups; it is checked
with pytest when pytest is configured, else with tox's `[testenv]` commands, else `make test`,
else pytest by default. Node is installed with the manager that `packageManager` or the
lockfile names, frozen when locked, and checked with its `test` script. Every decision adds a
reason naming the file that decided it, so a wrong guess is visible and can be overridden in
`.devteam.toml`. Pure: files are read through the caller's `read`.
"""

import configparser
import json
import re
import shlex
import tomllib
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase
from typing import Any, Literal

from pydantic import Field

from devteam_contracts.base import Strict

ReadText = Callable[[str], str | None]

_MANIFESTS = frozenset(
    {"pyproject.toml", "setup.py", "setup.cfg", "uv.lock", "poetry.lock", "Pipfile",
     "Pipfile.lock", "pdm.lock", "package.json", "package-lock.json", "npm-shrinkwrap.json",
     "yarn.lock", "pnpm-lock.yaml", ".npmrc", ".yarnrc", ".yarnrc.yml", ".nvmrc",
     ".python-version"}
)  # fmt: skip
_MANIFEST_PATTERNS = ("requirements*.txt", "*-requirements.txt", "*_requirements.txt",
                      "constraints*.txt")  # fmt: skip
_REQUIREMENTS = ("requirements.txt", "requirements-dev.txt", "requirements-test.txt",
                 "requirements-tests.txt", "requirements_dev.txt", "requirements_test.txt",
                 "dev-requirements.txt", "test-requirements.txt",
                 "requirements-testing.txt")  # fmt: skip
_TEST_NAMES = ("test", "tests", "testing", "dev")  # extras and groups, in this order
_MAKEFILES = ("GNUmakefile", "makefile", "Makefile")  # GNU make's own search order
_LOCKFILES = {"npm": ("package-lock.json", "npm-shrinkwrap.json"), "yarn": ("yarn.lock",),
              "pnpm": ("pnpm-lock.yaml",)}  # fmt: skip
_PYTEST = "python -m pytest"
_POSARGS = re.compile(r"\{posargs(?::([^{}]*))?\}")


class DetectionError(ValueError):
    """A file detection has to read is malformed; the message names the file and the error."""


class Detected(Strict):
    """How to set up and check a repository without configuration, and why."""

    kind: Literal["python", "node", "none"] = Field(
        description="The project recognised (`python` also when Node comes with it); `none`: "
        "nothing recognised, the checks must be configured."
    )
    setup: list[str] = Field(description="Setup commands, run with the project's environment.")
    verify: list[str] = Field(description="Check commands; empty when no test command is found.")
    manifests: list[str] = Field(
        description="The dependency manifests and lockfiles present (sorted relative paths)."
    )
    venv: bool = Field(
        description="A virtualenv is made and activated for setup and checks (Python projects)."
    )
    reasons: list[str] = Field(description="One sentence per decision, naming the deciding file.")


def manifest_files(names: Iterable[str]) -> list[str]:
    """Which of these repository paths are dependency manifests or lockfiles (sorted): the files
    whose change changes what gets installed, so an environment cache keyed on their contents is
    rebuilt exactly when it must be. Matched on the file name, so nested paths count too."""
    found = set()
    for path in names:
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if name in _MANIFESTS or any(fnmatchcase(name, p) for p in _MANIFEST_PATTERNS):
            found.add(path)
    return sorted(found)


class _Repo:
    """The repository as detection sees it: its top-level names, files read once, reasons."""

    def __init__(self, names: Iterable[str], read: ReadText) -> None:
        self.names = {name.rstrip("/") for name in names}
        self.reasons: list[str] = []
        self._read = read
        self._texts: dict[str, str | None] = {}

    def text(self, path: str) -> str | None:
        if path not in self.names:
            return None
        if path not in self._texts:
            self._texts[path] = self._read(path)
            if self._texts[path] is None:
                self.reasons.append(f"{path} could not be read, so it is ignored.")
        return self._texts[path]

    def toml(self, path: str) -> dict[str, Any]:
        text = self.text(path)
        try:
            return tomllib.loads(text) if text is not None else {}
        except tomllib.TOMLDecodeError as exc:
            raise DetectionError(f"{path} is not valid TOML: {exc}") from exc

    def ini(self, path: str) -> configparser.ConfigParser | None:
        text = self.text(path)
        if text is None:
            return None
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(text, source=path)
        except configparser.Error as exc:
            # An unparsable ini only loses hints (pytest config, tox commands); not fatal.
            self.reasons.append(f"{path} could not be parsed ({exc.message}), so it is ignored.")
            return None
        return parser


_Ini = configparser.ConfigParser | None


def _table(data: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _normalized(name: str) -> str:  # PEP 685 / PEP 735 name normalisation
    return re.sub(r"[-_.]+", "-", name).lower()


def _group(groups: dict[str, Any], name: str, seen: set[str]) -> list[str]:
    """A dependency group's requirements, its `{include-group = ...}` entries followed."""
    seen.add(name)
    found: list[str] = []
    entries = groups.get(name)
    for entry in entries if isinstance(entries, list) else []:
        included = entry.get("include-group") if isinstance(entry, dict) else None
        if isinstance(entry, str):
            found.append(entry)
        elif isinstance(included, str) and _normalized(included) not in seen:  # cycles end
            found += _group(groups, _normalized(included), seen)
    return found


def _pytest_config(repo: _Repo, pyproject: dict[str, Any], cfg: _Ini, tox: _Ini) -> str | None:
    """Where pytest is configured, if anywhere."""
    tool = _table(pyproject, "tool", "pytest")  # pytest 9 also reads [tool.pytest] itself
    for where, configured in (
        (f"pyproject.toml [tool.pytest{'.ini_options' if 'ini_options' in tool else ''}]", tool),
        ("pytest.ini", "pytest.ini" in repo.names),
        ("setup.cfg [tool:pytest]", cfg is not None and cfg.has_section("tool:pytest")),
        ("tox.ini [pytest]", tox is not None and tox.has_section("pytest")),
    ):
        if configured:
            return where
    return None


def _tox(repo: _Repo, tox: _Ini) -> tuple[list[str], list[str]]:
    """tox.ini `[testenv]` commands (`{posargs}` dropped, `{posargs:default}` made its default)
    and deps; none when only tox could run them."""
    if tox is None or not tox.has_option("testenv", "commands"):
        return [], []
    raw = tox.get("testenv", "commands").replace("\\\n", " ")  # tox's line continuations
    lines = (_POSARGS.sub(lambda m: m.group(1) or "", line).strip() for line in raw.splitlines())
    commands = [line for line in lines if line]
    if any("{" in command for command in commands):
        repo.reasons.append(
            "tox.ini [testenv] commands use tox substitutions ({...}) that only tox resolves, "
            "so they are not used."
        )
        return [], []
    deps = [d for d in tox.get("testenv", "deps", fallback="").splitlines() if d and "{" not in d]
    # tox ran the commands with these installed; options (`-r file`) stay separate words.
    return commands, [d if d.startswith("-") else shlex.quote(d) for d in deps]


def _python_checks(
    repo: _Repo, pytest_config: str | None, tox: _Ini
) -> tuple[list[str], list[str]]:
    """The Python check commands and what they need installed: pytest when configured, else
    tox's commands, else `make test`, else pytest by default."""
    if pytest_config:
        repo.reasons.append(f"{pytest_config}: the checks are `{_PYTEST}`.")
        return [_PYTEST], ["pytest"]
    commands, deps = _tox(repo, tox)
    if commands:
        shown = ", ".join(f"`{command}`" for command in commands)
        repo.reasons.append(f"tox.ini [testenv] commands: the checks are {shown}.")
        return commands, deps + (["pytest"] if any("pytest" in c for c in commands) else [])
    for makefile in _MAKEFILES:
        text = repo.text(makefile)
        if text is not None and re.search(r"^test\s*:(?!=)", text, re.MULTILINE):
            repo.reasons.append(f"{makefile} has a `test` target: the checks are `make test`.")
            return ["make test"], ["pytest"] if "pytest" in text else []  # its recipe may run it
    repo.reasons.append(
        "No test command is named in pyproject.toml, setup.cfg, tox.ini or a Makefile, so the "
        f"checks are `{_PYTEST}`, the default for a Python project."
    )
    return [_PYTEST], ["pytest"]


def _installable(repo: _Repo, pyproject: dict[str, Any], cfg: _Ini) -> str | None:
    """What makes the project pip-installable, if anything."""
    for table in ("project", "build-system"):
        if table in pyproject:
            return f"pyproject.toml [{table}]"
    if "setup.py" in repo.names:
        return "setup.py"
    # A setup.cfg holding only tool configuration ([flake8], [tool:pytest]) describes no package.
    return "setup.cfg [metadata]" if cfg is not None and cfg.has_section("metadata") else None


def _pip_setup(
    repo: _Repo, pyproject: dict[str, Any], installable: str | None, requirements: list[str],
    groups: list[str], needs: list[str],
) -> list[str]:  # fmt: skip
    """One `pip install` of the requirements files, the project with its test/dev extras, its
    test/dev dependency groups and what the checks need."""
    args = [f"-r {shlex.quote(name)}" for name in requirements]
    if requirements:
        repo.reasons.append(f"{', '.join(requirements)}: installed with `pip install -r`.")
    if installable:
        present = {_normalized(k) for k in _table(pyproject, "project", "optional-dependencies")}
        extras = [name for name in _TEST_NAMES if name in present]
        args.append("-e " + shlex.quote(".[" + ",".join(extras) + "]") if extras else "-e .")
        with_extras = f" with its extras {', '.join(extras)}" if extras else ""
        repo.reasons.append(
            f"{installable}: the project is installable, so it is installed editable{with_extras}."
        )
    if groups:
        table = {_normalized(k): v for k, v in _table(pyproject, "dependency-groups").items()}
        seen: set[str] = set()
        for name in groups:
            args += [shlex.quote(r) for r in _group(table, name, seen)]
        repo.reasons.append(
            f"pyproject.toml [dependency-groups] {', '.join(groups)}: their requirements "
            "(included groups too) are installed."
        )
    if needs:
        args += needs
        repo.reasons.append(f"Setup also installs {', '.join(needs)}, which the checks use.")
    if not args:
        return []
    command = "pip install " + " ".join(dict.fromkeys(args))  # each argument once
    repo.reasons.append(f"Setup is `{command}`.")
    return [command]


def _python(repo: _Repo) -> tuple[list[str], list[str]] | None:
    """Python setup and check commands, or None when this is no Python project."""
    pyproject = repo.toml("pyproject.toml")
    cfg, tox = repo.ini("setup.cfg"), repo.ini("tox.ini")
    installable = _installable(repo, pyproject, cfg)
    requirements = [name for name in _REQUIREMENTS if name in repo.names]
    present = {_normalized(name) for name in _table(pyproject, "dependency-groups")}
    groups = [name for name in _TEST_NAMES if name in present]
    pytest_config = _pytest_config(repo, pyproject, cfg, tox)
    uv = "uv.lock" in repo.names
    if not (uv or installable or requirements or groups or pytest_config):
        if "pyproject.toml" in repo.names:
            repo.reasons.append(
                "pyproject.toml has no [project], [build-system], test/dev dependency groups or "
                "pytest configuration, so it only configures tools."
            )
        return None
    verify, needs = _python_checks(repo, pytest_config, tox)
    if not uv:
        return _pip_setup(repo, pyproject, installable, requirements, groups, needs), verify
    setup = ["uv sync --frozen"]
    repo.reasons.append(
        "uv.lock: the project's dependencies are locked with uv, so setup is "
        "`uv sync --frozen` (its default groups, dev included)."
    )
    if "pytest" in needs and not re.search(r'^name = "pytest"$', repo.text("uv.lock") or "", re.M):
        setup.append("uv pip install pytest")
        repo.reasons.append(
            "uv.lock locks no pytest, which the checks use, so setup also runs "
            "`uv pip install pytest`."
        )
    return setup, verify


def _node_install(repo: _Repo, package: dict[str, Any]) -> tuple[str, str]:
    """The package manager and its install command: `packageManager` chooses, else the
    lockfile; frozen when that manager's lockfile is present."""
    declared = package.get("packageManager")
    declared = declared if isinstance(declared, str) else ""
    locks = [(m, lock) for m, files in _LOCKFILES.items() for lock in files if lock in repo.names]
    name = declared.partition("@")[0]
    manager = name if name in _LOCKFILES else locks[0][0] if locks else "npm"
    lock = next((lock for m, lock in locks if m == manager), None)
    berry = ".yarnrc.yml" in repo.names or re.match(r"yarn@([2-9]|\d\d)", declared) is not None
    yarn_frozen = "--immutable" if berry else "--frozen-lockfile"  # berry deprecates the old flag
    command = {
        "npm": "npm ci" if lock else "npm install",
        "yarn": f"corepack yarn install {yarn_frozen}" if lock else "corepack yarn install",
        "pnpm": f"corepack pnpm install{' --frozen-lockfile' if lock else ''}",
    }[manager]
    source = f"package.json packageManager `{declared}`" if name in _LOCKFILES else "package.json"
    if lock is None:
        repo.reasons.append(
            f"{source}: there is no {manager} lockfile, so versions are resolved fresh with "
            f"`{command}`."
        )
        return manager, command
    source = lock if source == "package.json" else f"{source} and {lock}"
    berry_note = " (yarn berry)" if manager == "yarn" and berry else ""
    repo.reasons.append(
        f"{source}: the dependencies are locked with {manager}{berry_note}, so setup is "
        f"`{command}`."
    )
    return manager, command


def _node(repo: _Repo) -> tuple[list[str], list[str]] | None:
    """Node setup and check commands, or None without a package.json."""
    text = repo.text("package.json")
    if text is None:
        return None
    try:
        package = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DetectionError(f"package.json is not valid JSON: {exc}") from exc
    if not isinstance(package, dict):
        raise DetectionError("package.json is not a JSON object.")
    manager, install = _node_install(repo, package)
    test = _table(package, "scripts").get("test")
    if not isinstance(test, str) or not test.strip() or "no test specified" in test:
        repo.reasons.append(
            "package.json has no test script (or only npm's placeholder), so no Node check was "
            "found; name it in `.devteam.toml` (`verify = [...]`) or at registration."
        )
        return [install], []
    command = "npm test" if manager == "npm" else f"corepack {manager} test"
    repo.reasons.append(f"package.json scripts.test: the checks are `{command}`.")
    return [install], [command]


def detect(names: Iterable[str], read: ReadText) -> Detected:
    """How to set up and check the repository whose top-level entries are `names`, reading a
    few files through `read`: Python (uv, else pip) and Node (npm, yarn or pnpm), both when
    both are present; every decision comes with a reason. Raises DetectionError when
    pyproject.toml or package.json is malformed, since a guess past it would be silent."""
    repo = _Repo(names, read)
    python, node = _python(repo), _node(repo)
    if python is None and node is None:
        repo.reasons.append(
            "No Python project (uv.lock, pyproject.toml, setup.py, setup.cfg, requirements*.txt, "
            "pytest configuration) or Node project (package.json) was recognised, so the project "
            "must name its checks "
            "in `.devteam.toml` (`verify = [...]`) or at registration."
        )
    found = [part for part in (python, node) if part is not None]
    return Detected(
        kind="python" if python else "node" if node else "none",
        setup=[command for setup, _ in found for command in setup],
        verify=[command for _, verify in found for command in verify],
        manifests=manifest_files(repo.names),
        venv=python is not None,
        reasons=repo.reasons,
    )
