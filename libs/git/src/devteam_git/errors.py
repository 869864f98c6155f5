"""Errors of the git library; messages are safe to show (no credentials, no URLs with secrets).

Each carries how the command it happened in ends (`devteam_contracts.failures`): a failure of
the repository at hand is permanent (`git_error`: retrying the same git command on the same
objects fails the same way); the remote being unreachable or failing (`RemoteError`) is
transient."""

from devteam_contracts.failures import StageFailure
from devteam_contracts.runs import FailureCode


class GitError(StageFailure):
    """A git command failed."""

    code = FailureCode.GIT_ERROR

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


class RemoteError(GitError):
    """Fetching from or pushing to the project's remote failed (network, server): retried."""

    transient = True


class InvalidInputError(GitError):
    """A URL, ref name or path given by a user is not acceptable."""


class PushRejectedError(GitError):
    """The remote refused the push (it moved, or a hook said no)."""


class MergeConflictError(GitError):
    """Our change and the target branch's changes touch the same lines."""

    code = FailureCode.CONFLICT

    def __init__(self, paths: list[str]) -> None:
        super().__init__(f"conflicting changes in {', '.join(paths) or 'the tree'}")
        self.paths = paths
