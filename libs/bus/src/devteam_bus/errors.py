"""Errors a stage raises to tell the worker how to settle the message (see
`devteam_contracts.failures`: the class says it)."""

from devteam_contracts.failures import StageFailure


class BusError(Exception):
    """Base of the bus library's errors."""


class PermanentError(StageFailure, BusError):
    """The command can never succeed (bad input, missing project): fail the run with `code`,
    terminate."""


class TransientError(StageFailure, BusError):
    """The command may succeed later (something it needs is away): retry it."""

    transient = True


class ConflictError(BusError):
    """A compare-and-set lost too many times in a row."""


class RunEndedError(BusError):
    """The run was cancelled (or ended) while a stage worked on it: drop the work, ack."""
