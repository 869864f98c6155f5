"""devteam_aider: run Aider as an external tool in its own environment, offline-safe."""

from .runner import AiderError, AiderInvocation, AiderOutcome, run_aider

__all__ = ["AiderError", "AiderInvocation", "AiderOutcome", "run_aider"]
