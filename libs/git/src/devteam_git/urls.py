"""Validation of repository URLs given by users."""

from pathlib import Path
from urllib.parse import unquote, urlparse

from devteam_git.errors import InvalidInputError


def normalize_repo_url(url: str) -> str:
    """Return a URL git may fetch from, or raise `InvalidInputError`.

    Accepted for now: absolute local paths and `file://` URLs. Anything that could be read as an
    option (`-…`) or names a transport helper (`ext::`, `fd::`) is refused outright.
    """
    if not url or url.startswith("-") or "::" in url or any(c in url for c in "\x00\n\r"):
        raise InvalidInputError(f"repository URL not accepted: {url[:100]!r}")
    if url.startswith("file://"):
        path = unquote(urlparse(url).path)
    elif url.startswith("/"):
        path = url
    else:
        raise InvalidInputError(
            "repository URL must be an absolute local path or a file:// URL for now"
        )
    if not Path(path).is_absolute() or ".." in Path(path).parts:
        raise InvalidInputError(f"repository path must be absolute without '..': {path!r}")
    return "file://" + str(Path(path))
