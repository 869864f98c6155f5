"""Errors a stage raises to tell the worker how to settle the message."""

from devteam_contracts.runs import FailureCode
from devteam_contracts.subjects import Stage


class BusError(Exception):
    """Base of the bus library's errors."""


class PermanentError(BusError):
    """The command can never succeed (bad input, missing project): fail the run, terminate.

    The run fails with `code`, at `stage` when given (a repair that could not fix a failed
    check fails the run at verify, though IMPLEMENT noticed it), else at the worker's stage.
    """

    def __init__(
        self,
        reason: str,
        output_tail: str = "",
        code: FailureCode = FailureCode.ERROR,
        stage: Stage | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.output_tail = output_tail
        self.code = code
        self.stage = stage


class ConflictError(BusError):
    """A compare-and-set lost too many times in a row."""


class RunEndedError(BusError):
    """The run was cancelled (or ended) while a stage worked on it: drop the work, ack."""
