"""The sandbox's settings (`devteam_sandbox.settings`): every variable keeps its name, a
malformed one stops the worker at start naming it, an empty one is its default, and nothing
is read when the modules are imported."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devteam_sandbox.environments import DEFAULT_MAX_MB, max_bytes
from devteam_sandbox.identity import DEFAULT_UID_BASE
from devteam_sandbox.limits import CheckLimits, operator_limits
from devteam_sandbox.settings import MAX_UID_BASE, SandboxSettings

BIN = Path(sys.executable).parent
EVERY = {
    "DEVTEAM_WORK_NICE": "3",
    "DEVTEAM_SANDBOX": " None ",
    "DEVTEAM_TOOLCHAIN": "/opt/toolchain/bin",
    "DEVTEAM_SANDBOX_ETC": "hosts.allow, xdg/*",
    "DEVTEAM_SANDBOX_UID_BASE": "700000000",
    "DEVTEAM_SANDBOX_IMAGES": "node:22, python:3.12",
    "DEVTEAM_SANDBOX_DEFAULT_IMAGE": " devteam-node ",
    "DEVTEAM_SANDBOX_CPUS": "2.5",
    "DEVTEAM_ENVIRONMENTS_MAX_MB": "100",
    "DEVTEAM_VERIFY_MEMORY_MB": "1024",
    "DEVTEAM_VERIFY_CPU_SECONDS": "60",
    "DEVTEAM_VERIFY_PROCESSES": "100",
    "DEVTEAM_VERIFY_FILE_SIZE_MB": "10",
    "DEVTEAM_VERIFY_OPEN_FILES": "200",
    "DEVTEAM_VERIFY_OUTPUT_BYTES": "5000",
    "DEVTEAM_VERIFY_MAX_MEMORY_MB": "4096",
    "DEVTEAM_VERIFY_MAX_CPU_SECONDS": "120",
    "DEVTEAM_VERIFY_MAX_PROCESSES": "50",  # below its default: the default comes down to it
    "DEVTEAM_VERIFY_MAX_FILE_SIZE_MB": "20",
    "DEVTEAM_VERIFY_MAX_OPEN_FILES": "400",
    "DEVTEAM_VERIFY_MAX_OUTPUT_BYTES": "9000",
}


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No sandbox variable of the caller's own environment."""
    for name in EVERY:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_every_variable_keeps_its_name(environ: pytest.MonkeyPatch) -> None:
    for name, value in EVERY.items():
        environ.setenv(name, value)
    settings = SandboxSettings()
    assert settings.work_nice == 3
    assert settings.sandbox == "none"
    assert settings.toolchain == "/opt/toolchain/bin"
    assert settings.etc_names == ["hosts.allow", "xdg/*"]
    assert settings.sandbox_uid_base == 700_000_000
    assert settings.images == ["node:22", "python:3.12"]
    assert settings.sandbox_default_image.strip() == "devteam-node"
    assert settings.sandbox_cpus == 2.5
    assert max_bytes(settings) == 100 * 1024 * 1024
    defaults, maxima = operator_limits(settings)
    assert defaults == CheckLimits(1024, 60, 50, 10, 200, 5000)
    assert maxima == CheckLimits(4096, 120, 50, 20, 400, 9000)


def test_empty_or_unset_variables_are_the_defaults(environ: pytest.MonkeyPatch) -> None:
    unset = SandboxSettings()
    for name in EVERY:
        if name != "DEVTEAM_WORK_NICE":  # (an empty one is refused: it always was)
            environ.setenv(name, " ")
    for settings in (unset, SandboxSettings()):
        assert settings.work_nice == 10 and settings.sandbox == "auto"
        assert settings.sandbox_uid_base == DEFAULT_UID_BASE
        assert max_bytes(settings) == DEFAULT_MAX_MB * 1024 * 1024
        assert settings.sandbox_cpus == 1
        assert settings.etc_names == [] and settings.images == []
        assert operator_limits(settings) == (CheckLimits(), CheckLimits())


@pytest.mark.parametrize(
    ("name", "value", "refused"),
    [
        ("DEVTEAM_WORK_NICE", "20", "DEVTEAM_WORK_NICE must be a whole number from 0 to 19"),
        ("DEVTEAM_WORK_NICE", "", "DEVTEAM_WORK_NICE must be a whole number from 0 to 19"),
        ("DEVTEAM_SANDBOX", "Podman", "DEVTEAM_SANDBOX must be auto, bwrap, docker or none, not "
                                      "'podman'"),
        ("DEVTEAM_SANDBOX_ETC", "ssl, ../shadow", "DEVTEAM_SANDBOX_ETC: '../shadow' must be a "
                                                  "name inside /etc"),
        ("DEVTEAM_SANDBOX_ETC", "/root", "DEVTEAM_SANDBOX_ETC: '/root' must be a name inside"),
        ("DEVTEAM_SANDBOX_UID_BASE", "999", f"must be a uid from 1000 to {MAX_UID_BASE}"),
        ("DEVTEAM_SANDBOX_UID_BASE", str(MAX_UID_BASE + 1), "DEVTEAM_SANDBOX_UID_BASE must be"),
        ("DEVTEAM_SANDBOX_CPUS", "two", "DEVTEAM_SANDBOX_CPUS must be a number of CPUs"),
        ("DEVTEAM_SANDBOX_CPUS", "-1", "DEVTEAM_SANDBOX_CPUS must be a number of CPUs"),
        ("DEVTEAM_ENVIRONMENTS_MAX_MB", "0", "DEVTEAM_ENVIRONMENTS_MAX_MB must be a whole number"),
        ("DEVTEAM_VERIFY_MEMORY_MB", "2g", "DEVTEAM_VERIFY_MEMORY_MB must be a whole number ≥ 1, "
                                           "not '2g'"),
        ("DEVTEAM_VERIFY_MAX_OUTPUT_BYTES", "0", "DEVTEAM_VERIFY_MAX_OUTPUT_BYTES must be a whole"),
    ],
)  # fmt: skip
def test_a_malformed_variable_is_refused_naming_it(
    environ: pytest.MonkeyPatch, name: str, value: str, refused: str
) -> None:
    environ.setenv(name, value)
    with pytest.raises(ValueError, match=refused):
        SandboxSettings()


def test_values_given_in_code_are_checked_as_the_environment_s_are() -> None:
    assert SandboxSettings(work_nice=0, sandbox_uid_base=1000).sandbox_uid_base == 1000
    with pytest.raises(ValueError, match="DEVTEAM_WORK_NICE must be"):
        SandboxSettings(work_nice=-1)
    with pytest.raises(ValueError, match="DEVTEAM_VERIFY_PROCESSES must be"):
        SandboxSettings(verify_processes=0)
    with pytest.raises(ValueError, match="sandboxes"):  # a misspelt setting is no setting
        SandboxSettings(sandboxes="none")  # type: ignore[call-arg]


def test_importing_the_sandbox_reads_no_variable() -> None:
    # Malformed values everywhere: importing what the services and the box import still works
    # (and needs no pydantic: a box shown the library alone can import it).
    script = (
        "import sys, devteam_sandbox.environments, devteam_sandbox.process, "
        "devteam_sandbox.sandbox\n"
        "print('IMPORTED', 'pydantic' in sys.modules)\n"
        "import devteam_aider, devteam_sandbox.settings\n"
    )
    bad = {name: "bogus" for name in EVERY}
    env = {"PATH": os.environ["PATH"], **bad}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["IMPORTED", "False"]


def start(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [str(BIN / script)], env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_verify_refuses_to_start_with_a_malformed_limit(nats_url: str, tmp_path: Path) -> None:
    done = start(
        "devteam-verify",
        DEVTEAM_NATS_URL=nats_url,
        DEVTEAM_DATA_DIR=str(tmp_path),
        DEVTEAM_VERIFY_PROCESSES="lots",
    )
    assert done.returncode == 2, done.stderr
    assert "DEVTEAM_VERIFY_PROCESSES must be a whole number ≥ 1" in done.stderr
    assert "not starting" in done.stderr


def test_implement_refuses_to_start_with_a_malformed_work_priority(
    nats_url: str, tmp_path: Path
) -> None:
    done = start(
        "devteam-implement",
        DEVTEAM_NATS_URL=nats_url,
        DEVTEAM_DATA_DIR=str(tmp_path),
        DEVTEAM_WORK_NICE="-5",
        DEVTEAM_VERIFY_PROCESSES="lots",  # (verify's: not implement's concern)
    )
    assert done.returncode == 2, done.stderr
    assert "DEVTEAM_WORK_NICE must be a whole number from 0 to 19" in done.stderr
    assert "DEVTEAM_VERIFY_PROCESSES" not in done.stderr
