"""devteam_aider: run Aider as an external tool in its own environment, offline-safe, through a
pre-imported host process (one fork per attempt) or its CLI."""

from .accounting import Accounting, ModelCall, parse_accounting, read_accounting
from .host import AiderHost, HostDiedError, HostUnavailable
from .runner import AiderError, AiderInvocation, AiderOutcome, run_aider

__all__ = [
    "Accounting",
    "AiderError",
    "AiderHost",
    "AiderInvocation",
    "AiderOutcome",
    "HostDiedError",
    "HostUnavailable",
    "ModelCall",
    "parse_accounting",
    "read_accounting",
    "run_aider",
]
