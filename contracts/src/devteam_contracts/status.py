"""`devteam.status`: every service process answers it with who it is and how busy it is, so
`devteam status` lists them without a registry."""

from typing import Literal

from pydantic import Field

from devteam_contracts.base import Strict


class StageLoad(Strict):
    """One stage worker's load."""

    in_flight: int = Field(ge=0, description="Commands it holds now.")
    concurrency: int = Field(ge=1, description="The most it holds at once.")


class ProcessLoad(Strict):
    """How busy a process is: what each of its parts reports (absent: not in this process)."""

    select: StageLoad | None = None
    prep: StageLoad | None = None
    implement: StageLoad | None = None
    verify: StageLoad | None = None
    complete: StageLoad | None = None
    aider_host: Literal["up", "cli"] | None = Field(
        default=None, description="IMPLEMENT: whether Aider's pre-imported host is up."
    )
    websocket_clients: int | None = Field(
        default=None, ge=0, description="The gateway: open event WebSockets."
    )


class StatusReport(Strict):
    """One process's answer to `devteam.status`."""

    service: str = Field(description="`selector`, `prep`, `implement`, `verify` or `gateway`.")
    process: str = Field(description="The process's name (`DEVTEAM_PROCESS_NAME`, or service-pid).")
    host: str
    pid: int
    version: str = Field(description="The version of the bus library it runs.")
    uptime_s: float = Field(ge=0)
    load: ProcessLoad
