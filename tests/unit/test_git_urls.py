"""Repository URL validation (pure)."""

import pytest

from devteam_git.errors import InvalidInputError
from devteam_git.urls import normalize_repo_url


@pytest.mark.parametrize(
    "url",
    [
        "--upload-pack=touch /tmp/pwned",
        "-c core.sshCommand=x",
        "ext::sh -c touch% /tmp/pwned",
        "fd::17",
        "relative/path",
        "file:///srv/../etc",
        "/srv/repo\n--upload-pack=x",
        "",
    ],
)
def test_dangerous_or_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInputError):
        normalize_repo_url(url)


def test_local_paths_become_file_urls() -> None:
    assert normalize_repo_url("/srv/repos/calc.git") == "file:///srv/repos/calc.git"
    assert normalize_repo_url("file:///srv/repos/calc.git") == "file:///srv/repos/calc.git"
