"""Errors of the git library; messages are safe to show (no credentials, no URLs with secrets)."""


class GitError(Exception):
    """A git command failed."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


class InvalidInputError(GitError):
    """A URL, ref name or path given by a user is not acceptable."""


class PushRejectedError(GitError):
    """The remote refused the push (it moved, or a hook said no)."""


class MergeConflictError(GitError):
    """Our change and the target branch's changes touch the same lines."""

    def __init__(self, paths: list[str]) -> None:
        super().__init__(f"conflicting changes in {', '.join(paths) or 'the tree'}")
        self.paths = paths
