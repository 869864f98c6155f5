"""Errors a stage raises to tell the worker how to settle the message."""


class BusError(Exception):
    """Base of the bus library's errors."""


class PermanentError(BusError):
    """The command can never succeed (bad input, missing project): fail the run, terminate."""

    def __init__(self, reason: str, output_tail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.output_tail = output_tail


class ConflictError(BusError):
    """A compare-and-set lost too many times in a row."""


class RunEndedError(BusError):
    """The run was cancelled (or ended) while a stage worked on it: drop the work, ack."""
