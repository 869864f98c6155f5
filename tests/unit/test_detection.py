"""Zero-configuration detection of setup and check commands from a repository's files (pure)."""

import json

import pytest

from devteam_contracts.detection import (
    Detected,
    DetectionError,
    ReadText,
    detect,
    manifest_files,
)

UV_LOCK_WITH_PYTEST = """version = 1
[[package]]
name = "pytest"
version = "8.3.0"
"""
UV_LOCK_WITHOUT_PYTEST = """version = 1
[[package]]
name = "pytest-cov"
version = "5.0.0"
"""
PROJECT = '[project]\nname = "demo"\nversion = "1.0"\n'
PLACEHOLDER = 'echo "Error: no test specified" && exit 1'


def repo(files: dict[str, str], dirs: tuple[str, ...] = ()) -> tuple[set[str], ReadText]:
    """A repository's top-level names and a reader over its files; `dirs` are directories."""
    return set(files) | set(dirs), files.get


def detected(files: dict[str, str], dirs: tuple[str, ...] = ()) -> Detected:
    return detect(*repo(files, dirs))


def package(test: str | None = None, manager: str | None = None) -> str:
    fields: dict[str, object] = {"name": "demo"}
    if test is not None:
        fields["scripts"] = {"test": test}
    if manager is not None:
        fields["packageManager"] = manager
    return json.dumps(fields)


def mentions(found: Detected, *words: str) -> bool:
    return any(all(word in reason for word in words) for reason in found.reasons)


def test_a_uv_lock_is_synced_frozen() -> None:
    found = detected({"pyproject.toml": PROJECT, "uv.lock": UV_LOCK_WITH_PYTEST}, ("src",))
    assert found.kind == "python" and found.venv
    assert found.setup == ["uv sync --frozen"]
    assert found.verify == ["python -m pytest"]
    assert found.manifests == ["pyproject.toml", "uv.lock"]
    assert mentions(found, "uv.lock", "`uv sync --frozen`", "dev included")


def test_a_uv_lock_without_pytest_gets_pytest_installed() -> None:
    found = detected({"pyproject.toml": PROJECT, "uv.lock": UV_LOCK_WITHOUT_PYTEST})
    assert found.setup == ["uv sync --frozen", "uv pip install pytest"]
    assert mentions(found, "uv.lock locks no pytest")


def test_test_and_dev_extras_and_dependency_groups_join_the_editable_install() -> None:
    pyproject = PROJECT + (
        "[project.optional-dependencies]\n"
        'dev = ["ruff"]\ndocs = ["sphinx"]\nTest = ["hypothesis"]\n'
        "[dependency-groups]\n"
        'lint = ["mypy"]\n'
        'test = ["pytest>=8", "coverage[toml]"]\n'
        'dev = [{include-group = "lint"}, "pytest>=8"]\n'
    )
    found = detected({"pyproject.toml": pyproject})
    assert found.setup == ["pip install -e '.[test,dev]' 'pytest>=8' 'coverage[toml]' mypy pytest"]
    assert found.verify == ["python -m pytest"]
    assert mentions(found, "pyproject.toml [project]", "extras test, dev")
    assert mentions(found, "[dependency-groups] test, dev")


def test_a_setup_py_alone_is_installed_editable_with_pytest() -> None:
    found = detected({"setup.py": "from setuptools import setup\nsetup()\n"})
    assert found.kind == "python"
    assert found.setup == ["pip install -e . pytest"]
    assert found.manifests == ["setup.py"]
    assert mentions(found, "setup.py", "installable")


def test_requirements_files_join_the_install_of_an_installable_project() -> None:
    pyproject = PROJECT + '[project.optional-dependencies]\ntest = ["pytest"]\n'
    files = {"pyproject.toml": pyproject, "requirements.txt": "", "requirements-dev.txt": ""}
    found = detected(files)
    assert found.setup == [
        "pip install -r requirements.txt -r requirements-dev.txt -e '.[test]' pytest"
    ]
    assert mentions(found, "requirements.txt, requirements-dev.txt", "-r")


def test_requirements_alone_are_installed_with_pytest() -> None:
    found = detected({"requirements.txt": "flask\n", "app.py": ""})
    assert found.kind == "python"
    assert found.setup == ["pip install -r requirements.txt pytest"]


@pytest.mark.parametrize(
    ("files", "where"),
    [
        ({"pyproject.toml": PROJECT + "[tool.pytest.ini_options]\naddopts = '-q'\n"},
         "pyproject.toml [tool.pytest.ini_options]"),
        ({"setup.py": "", "pytest.ini": "[pytest]\n"}, "pytest.ini"),
        ({"setup.py": "", "setup.cfg": "[tool:pytest]\ntestpaths = tests\n"},
         "setup.cfg [tool:pytest]"),
        ({"setup.py": "", "tox.ini": "[pytest]\n[testenv]\ncommands = flake8\n"},
         "tox.ini [pytest]"),
    ],
)  # fmt: skip
def test_pytest_configuration_makes_the_checks_pytest(files: dict[str, str], where: str) -> None:
    found = detected({**files, "Makefile": "test:\n\ttrial\n"})
    assert found.verify == ["python -m pytest"]
    assert mentions(found, where, "`python -m pytest`")


def test_a_tool_only_pyproject_with_pytest_configuration_installs_pytest() -> None:
    found = detected({"pyproject.toml": "[tool.pytest.ini_options]\n[tool.ruff]\n"})
    assert found.kind == "python"
    assert found.setup == ["pip install pytest"]
    assert found.verify == ["python -m pytest"]


def test_a_tool_only_pyproject_is_not_a_python_project() -> None:
    found = detected({"pyproject.toml": "[tool.black]\nline-length = 100\n"})
    assert found.kind == "none" and not found.venv
    assert mentions(found, "pyproject.toml", "only configures tools")


def test_tox_commands_are_the_checks_with_posargs_dropped() -> None:
    tox = (
        "[tox]\nenvlist = py311\n"
        "[testenv]\n"
        "deps =\n    pytest-cov\n    -r requirements-test.txt\n"
        "commands =\n"
        "    pytest --cov {posargs}\n"
        "    python -m doctest README.md{posargs}\n"
        "    flake8 {posargs:src}\n"
    )
    found = detected({"setup.py": "", "tox.ini": tox, "requirements-test.txt": ""})
    assert found.verify == [
        "pytest --cov",
        "python -m doctest README.md",
        "flake8 src",
    ]
    assert found.setup == ["pip install -r requirements-test.txt -e . pytest-cov pytest"]
    assert mentions(found, "tox.ini [testenv] commands", "`pytest --cov`")


def test_tox_commands_with_other_substitutions_are_not_used() -> None:
    tox = "[testenv]\ncommands = {envpython} -m pytest\n"
    found = detected({"setup.py": "", "tox.ini": tox, "Makefile": "test:\n\tpytest\n"})
    assert found.verify == ["make test"]
    assert mentions(found, "tox.ini", "substitutions", "not used")


def test_a_makefile_test_target_is_the_check() -> None:
    makefile = "TEST := unit\n.PHONY: test\ntest :\n\t./run-tests.sh\n"
    found = detected({"setup.py": "", "Makefile": makefile})
    assert found.verify == ["make test"]
    assert found.setup == ["pip install -e ."]  # nothing says the target needs pytest
    assert mentions(found, "Makefile", "`test` target")


def test_a_makefile_variable_named_test_is_no_target() -> None:
    found = detected({"setup.py": "", "Makefile": "test := unit\nall:\n\techo\n"})
    assert found.verify == ["python -m pytest"]


def test_without_a_named_test_command_pytest_is_the_default_with_a_reason() -> None:
    found = detected({"setup.py": "", "setup.cfg": "[flake8]\nmax-line-length = 100\n"})
    assert found.verify == ["python -m pytest"]
    assert found.setup == ["pip install -e . pytest"]  # a tool-only setup.cfg adds nothing
    assert mentions(found, "No test command", "the default for a Python project")


def test_an_unparsable_ini_is_ignored_with_a_reason() -> None:
    found = detected({"setup.py": "", "tox.ini": "commands = pytest\n"})
    assert found.verify == ["python -m pytest"]
    assert mentions(found, "tox.ini could not be parsed")


def test_node_with_a_package_lock_and_a_test_script() -> None:
    files = {"package.json": package("jest"), "package-lock.json": "{}", ".nvmrc": "20\n"}
    found = detected(files, ("node_modules",))
    assert found.kind == "node" and not found.venv
    assert found.setup == ["npm ci"]
    assert found.verify == ["npm test"]
    assert found.manifests == [".nvmrc", "package-lock.json", "package.json"]
    assert mentions(found, "package-lock.json", "`npm ci`")
    assert mentions(found, "package.json scripts.test", "`npm test`")


def test_yarn_berry_installs_immutable() -> None:
    files = {"package.json": package("vitest"), "yarn.lock": "", ".yarnrc.yml": ""}
    found = detected(files)
    assert found.setup == ["corepack yarn install --immutable"]
    assert found.verify == ["corepack yarn test"]
    assert mentions(found, "yarn.lock", "yarn berry")


def test_yarn_classic_installs_with_a_frozen_lockfile() -> None:
    found = detected({"package.json": package("jest"), "yarn.lock": ""})
    assert found.setup == ["corepack yarn install --frozen-lockfile"]


def test_pnpm_is_chosen_by_package_manager() -> None:
    files = {"package.json": package("vitest", "pnpm@9.1.0"), "pnpm-lock.yaml": ""}
    found = detected(files)
    assert found.setup == ["corepack pnpm install --frozen-lockfile"]
    assert found.verify == ["corepack pnpm test"]
    assert mentions(found, "packageManager `pnpm@9.1.0`", "pnpm-lock.yaml")


def test_package_manager_without_its_lockfile_resolves_fresh() -> None:
    found = detected({"package.json": package("vitest", "yarn@4.1.0")})
    assert found.setup == ["corepack yarn install"]
    assert mentions(found, "packageManager `yarn@4.1.0`", "no yarn lockfile")


def test_npm_placeholder_test_script_gives_no_check() -> None:
    found = detected({"package.json": package(PLACEHOLDER), "package-lock.json": "{}"})
    assert found.kind == "node"
    assert found.verify == []
    assert mentions(found, "package.json has no test script")


def test_without_a_lockfile_npm_install_resolves_fresh() -> None:
    found = detected({"package.json": package("mocha")})
    assert found.setup == ["npm install"]
    assert mentions(found, "no npm lockfile", "resolved fresh")


def test_a_mixed_repository_gets_python_and_node() -> None:
    files = {
        "pyproject.toml": PROJECT,
        "uv.lock": UV_LOCK_WITH_PYTEST,
        "package.json": package("jest"),
        "package-lock.json": "{}",
    }
    found = detected(files)
    assert found.kind == "python" and found.venv
    assert found.setup == ["uv sync --frozen", "npm ci"]
    assert found.verify == ["python -m pytest", "npm test"]
    assert mentions(found, "uv.lock") and mentions(found, "package-lock.json")


def test_nothing_recognised_says_where_to_name_the_checks() -> None:
    found = detected({"README.md": "# hi\n", "main.go": ""}, ("cmd",))
    assert found == Detected(
        kind="none", setup=[], verify=[], manifests=[], venv=False, reasons=found.reasons
    )
    assert mentions(found, "No Python project", "package.json", ".devteam.toml", "verify")


@pytest.mark.parametrize(
    ("files", "named"),
    [
        ({"pyproject.toml": "[project\n"}, "pyproject.toml is not valid TOML"),
        ({"package.json": "{'name': 1}"}, "package.json is not valid JSON"),
        ({"package.json": "[]"}, "package.json is not a JSON object"),
    ],
)
def test_malformed_manifests_are_errors_naming_the_file(files: dict[str, str], named: str) -> None:
    with pytest.raises(DetectionError, match=named):
        detected(files)


def test_an_unreadable_file_is_ignored_with_a_reason() -> None:
    names = {"setup.py", "tox.ini"}
    found = detect(names, lambda path: None if path == "tox.ini" else "")
    assert found.verify == ["python -m pytest"]
    assert mentions(found, "tox.ini could not be read")


def test_manifest_files_are_what_changes_the_installed_environment() -> None:
    names = [
        "requirements-docs.txt",
        "dev_requirements.txt",
        "test-requirements.txt",
        "constraints.txt",
        "package.json",
        ".nvmrc",
        ".python-version",
        "README.md",
        "requirements",
        "src",
        "docs/requirements.txt",
    ]
    assert manifest_files(names) == [
        ".nvmrc",
        ".python-version",
        "constraints.txt",
        "dev_requirements.txt",
        "docs/requirements.txt",
        "package.json",
        "requirements-docs.txt",
        "test-requirements.txt",
    ]
