"""How an error ends the command it happened in, carried by the error's own class.

A `StageFailure` says whether it is `transient` (the command is retried: nak with a delay,
until the stage's `max_deliver`, then the run fails as `gave_up`) or not (the run fails at once
with `code`, and the command is terminated). The bus's `StageWorker` is the only place that
maps one to the other; a stage raises, it never settles. Errors of other kinds are transient.
"""

from devteam_contracts.runs import FailureCode
from devteam_contracts.subjects import Stage


class StageFailure(Exception):
    """An error that knows how its command ends."""

    transient: bool = False
    code: FailureCode = FailureCode.ERROR

    def __init__(
        self,
        reason: str,
        output_tail: str = "",
        code: FailureCode | None = None,
        stage: Stage | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.output_tail = output_tail
        if code is not None:
            self.code = code
        # The run fails at `stage` when given (a repair that could not fix a failed check
        # fails the run at verify, though IMPLEMENT noticed it), else at the worker's stage.
        self.stage = stage

    def within(self, context: str) -> "StageFailure":
        """The same failure (same class: as transient or not as before), its reason prefixed
        with what the stage was doing: `raise exc.within("cannot prepare the tree")`."""
        self.reason = f"{context}: {self.reason}"
        self.args = (self.reason,)
        return self
