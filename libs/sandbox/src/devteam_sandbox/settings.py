"""How this worker boxes untrusted work, from `DEVTEAM_*` environment variables: built once when
a process starts (a malformed value stops it then, naming the variable) and passed to what
needs it.

`WorkSettings` is the priority of untrusted work (implement's Aider runs); `SandboxSettings`
adds the box of a verify worker: backend, toolchain, /etc entries, users, images, the operator's
limits of a check and the environment store's bound. The modules of this package know these
classes only as types, so importing them needs no pydantic and reads nothing.
"""

import math
from typing import Literal

from pydantic import ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from devteam_sandbox.environments import DEFAULT_MAX_MB
from devteam_sandbox.filesystem import etc_name
from devteam_sandbox.identity import DEFAULT_UID_BASE, UID_SPAN
from devteam_sandbox.limits import LIMIT_FIELDS
from devteam_sandbox.process import DEFAULT_WORK_NICE

PREFIX = "DEVTEAM_"
MAX_UID_BASE = 2**31 - 1 - UID_SPAN
# The fields of the operator's limits: `verify_<limit>` and `verify_max_<limit>`.
LIMIT_SETTINGS = tuple(
    f"verify_{which}{name}" for which in ("", "max_") for name in (*LIMIT_FIELDS, "output_bytes")
)
_CONFIG = SettingsConfigDict(env_prefix=PREFIX, extra="forbid", hide_input_in_errors=True)


def _variable(info: ValidationInfo) -> str:
    return f"{PREFIX}{info.field_name or ''}".upper()


def _raw(value: object) -> str:
    return value if isinstance(value, str) else str(value)


class WorkSettings(BaseSettings):
    """The priority of untrusted work (Aider, a project's setup and checks)."""

    model_config = _CONFIG

    # `DEVTEAM_WORK_NICE`, 0-19: untrusted work runs this much nicer than NATS, the gateway and
    # the stages, so they stay responsive on a machine it saturates (0: the same priority).
    work_nice: int = DEFAULT_WORK_NICE

    @field_validator("work_nice", mode="before")
    @classmethod
    def _nice(cls, value: object, info: ValidationInfo) -> int:
        raw = _raw(value)
        if not raw.isdigit() or not 0 <= int(raw) <= 19:
            raise ValueError(f"{_variable(info)} must be a whole number from 0 to 19, not {raw!r}")
        return int(raw)


class SandboxSettings(WorkSettings):
    """The box of a verify worker's commands, and what a check may use."""

    model_config = _CONFIG

    # `DEVTEAM_SANDBOX`: auto (bwrap when it is installed, else none), bwrap, docker or none.
    sandbox: Literal["auto", "bwrap", "docker", "none"] = "auto"
    # `DEVTEAM_TOOLCHAIN`: the directory of executables first on the commands' PATH (unset or
    # empty: the directory of the interpreter this worker runs on).
    toolchain: str | None = None
    # `DEVTEAM_SANDBOX_ETC`: names of /etc entries shown to the commands besides `ETC_FILES`
    # (comma-separated, shell patterns allowed).
    sandbox_etc: str = ""
    # `DEVTEAM_SANDBOX_UID_BASE`: the first of the `UID_SPAN` uids given to tenants.
    sandbox_uid_base: int = DEFAULT_UID_BASE
    # Docker backend: the images projects may ask for (comma-separated), the default image,
    # and the CPUs a check's container may use (0: no limit).
    sandbox_images: str = ""
    sandbox_default_image: str = ""
    sandbox_cpus: float = 1.0
    # `DEVTEAM_ENVIRONMENTS_MAX_MB`: the bound of this worker's project environments on disk.
    environments_max_mb: int = DEFAULT_MAX_MB
    # `DEVTEAM_VERIFY_<LIMIT>`: the limit a check gets unless its project asks for less (unset:
    # `CheckLimits`'s default), and `DEVTEAM_VERIFY_MAX_<LIMIT>`: the most a project may ask
    # for (unset: the default); see `limits.operator_limits`.
    verify_memory_mb: int | None = None
    verify_cpu_seconds: int | None = None
    verify_processes: int | None = None
    verify_file_size_mb: int | None = None
    verify_open_files: int | None = None
    verify_output_bytes: int | None = None
    verify_max_memory_mb: int | None = None
    verify_max_cpu_seconds: int | None = None
    verify_max_processes: int | None = None
    verify_max_file_size_mb: int | None = None
    verify_max_open_files: int | None = None
    verify_max_output_bytes: int | None = None

    @field_validator("sandbox", mode="before")
    @classmethod
    def _backend(cls, value: object, info: ValidationInfo) -> str:
        chosen = _raw(value).strip().lower() or "auto"
        if chosen not in ("auto", "bwrap", "docker", "none"):
            raise ValueError(
                f"{_variable(info)} must be auto, bwrap, docker or none, not {chosen!r}"
            )
        return chosen

    @field_validator("sandbox_etc", mode="after")
    @classmethod
    def _inside_etc(cls, value: str) -> str:
        for name in _names(value):
            etc_name(name)
        return value

    @field_validator("sandbox_uid_base", mode="before")
    @classmethod
    def _uid_base(cls, value: object, info: ValidationInfo) -> int:
        raw = _raw(value).strip()
        if not raw:
            return DEFAULT_UID_BASE
        if not raw.isdigit() or not 1000 <= int(raw) <= MAX_UID_BASE:
            raise ValueError(f"{_variable(info)} must be a uid from 1000 to {MAX_UID_BASE}")
        return int(raw)

    @field_validator("sandbox_cpus", mode="before")
    @classmethod
    def _cpus(cls, value: object, info: ValidationInfo) -> float:
        raw = _raw(value).strip()
        try:
            cpus = float(raw or 1)
        except ValueError:
            cpus = math.nan
        if not math.isfinite(cpus) or cpus < 0:
            raise ValueError(f"{_variable(info)} must be a number of CPUs (0 or more), not {raw!r}")
        return cpus

    @field_validator("environments_max_mb", mode="before")
    @classmethod
    def _max_mb(cls, value: object, info: ValidationInfo) -> int:
        raw = _raw(value).strip()
        if not raw:
            return DEFAULT_MAX_MB
        if not raw.isdigit() or int(raw) < 1:
            raise ValueError(f"{_variable(info)} must be a whole number of megabytes (at least 1)")
        return int(raw)

    @field_validator(*LIMIT_SETTINGS, mode="before")
    @classmethod
    def _limit(cls, value: object, info: ValidationInfo) -> int | None:
        if value is None or not _raw(value).strip():
            return None
        raw = _raw(value)
        if not raw.strip().isdigit() or int(raw) < 1:
            raise ValueError(f"{_variable(info)} must be a whole number ≥ 1, not {raw!r}")
        return int(raw)

    @property
    def etc_names(self) -> list[str]:
        """`DEVTEAM_SANDBOX_ETC`'s names."""
        return _names(self.sandbox_etc)

    @property
    def images(self) -> list[str]:
        """`DEVTEAM_SANDBOX_IMAGES`'s images."""
        return _names(self.sandbox_images)


def _names(listed: str) -> list[str]:
    return [name.strip() for name in listed.split(",") if name.strip()]
