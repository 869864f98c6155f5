"""Errors of the forge client; their messages are safe to show (never the token)."""

from devteam_contracts.failures import StageFailure
from devteam_contracts.runs import FailureCode


class ForgeError(StageFailure):
    """The forge refused a request or stayed unreachable through every retry (`forge_error`);
    `status` is its HTTP status (None: no answer)."""

    code = FailureCode.FORGE_ERROR

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ForgeAuthError(ForgeError):
    """The forge said the token may not do this (401, 403): not retried."""

    code = FailureCode.FORGE_AUTH_ERROR


class AlreadyExistsError(ForgeError):
    """The forge refused to open a second pull request for the same branches."""
